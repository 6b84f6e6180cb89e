"""`porch audit verify`: walk the audit log's hash chain and say whether it is intact."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from porch.audit import log
from porch.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain and names every break."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        sub.add_parser("verify", help="check that no event was changed, removed or reordered")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify()

    def _verify(self) -> None:
        breaks = list(log.verify())
        for found in breaks:
            self.stderr.write(f"BROKEN event {found.event_id}: {found.problem}")
        if breaks:
            raise CommandError(
                f"Audit log broken: {len(breaks)} problem(s) found; see the events named above.",
                returncode=1,
            )
        self.stdout.write(f"Audit log intact: {AuditEvent.objects.count()} events")
