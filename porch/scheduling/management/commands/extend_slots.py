"""`porch extend_slots`: write the next SCHEDULING_SLOT_DAYS days of slots (run daily)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from porch.scheduling.slots import extend_slots


class Command(BaseCommand):
    help = "Turn availability templates into FHIR Slot resources for the coming days (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] or settings.SCHEDULING_SLOT_DAYS
        done = extend_slots(days)
        self.stdout.write(f"{done.created} slots created, {done.blocked} blocked.")
