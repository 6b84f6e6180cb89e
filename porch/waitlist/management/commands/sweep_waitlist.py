"""`porch sweep_waitlist`: enqueue the waitlist's expiry sweep (run every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from porch.waitlist.tasks import expire_offers


class Command(BaseCommand):
    help = "Enqueue the sweep that expires unanswered waitlist offers and offers their times on (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        expire_offers.enqueue()
        self.stdout.write("Waitlist sweep enqueued.")
