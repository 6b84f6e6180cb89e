"""`porch worker`: run background tasks (django-tasks-db's db_worker)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background task worker; run as many as needed against one database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name", default="*", help="queues to take tasks from (default all)"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls when idle"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("db_worker", queue_name=options["queue_name"], interval=options["interval"])
