"""`porch remind_appointments`: enqueue the reminder sweep (run every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from porch.scheduling.tasks import remind_appointments


class Command(BaseCommand):
    help = "Enqueue the appointment reminder sweep (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        remind_appointments.enqueue()
        self.stdout.write("Reminder sweep enqueued.")
