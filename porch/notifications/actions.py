"""Notifying people: the one way the rest of Porch tells someone something is new.

Call these inside the transaction that makes the change, so the notification and its
deliveries are committed (or rolled back) with it. `key` makes a call idempotent: the
same key twice notifies once.
"""

from __future__ import annotations

from collections.abc import Iterable

from porch.notifications.kinds import Kind


def do_notify_users(user_ids: Iterable[int], kind: Kind, *, link: str, key: str) -> None:
    """Notify these accounts (e.g. staff in a pool) of `kind`; `link` is a path in Porch."""


def do_notify_record_audience(
    patient_id: str, kind: Kind, *, confidential: bool, link: str, key: str
) -> None:
    """Notify everyone who may read this patient's record about a new item of `kind`:
    the patient's own accounts and their proxies, except proxies who may not see
    confidential items when `confidential` is true (a teen's private message)."""
