"""Signals of scheduling, for apps built on it (the waitlist) without scheduling importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that frees a booked slot (a cancellation, or the old slot of
# a move), with `slot` (the Slot row) and `now`. A receiver's writes commit or roll back
# with the change; a receiver must not raise for reasons of its own.
slot_freed = Signal()
