"""`porch reindex TYPE...`: rebuild the search index of resource types, e.g. after an
upgrade adds search parameters (the release notes say which types need it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from porch.record.searchparams import supported_resource_types
from porch.record.writer import analyze_tables, reindex


class Command(BaseCommand):
    help = "Rebuild the search index rows of every resource of the given types."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("types", nargs="+", metavar="TYPE", help="e.g. MedicationDispense")

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = [t for t in options["types"] if t not in supported_resource_types()]
        if unknown:
            raise CommandError(f"not a resource type Porch indexes: {', '.join(unknown)}")
        for resource_type in options["types"]:
            with transaction.atomic():
                count = reindex(resource_type)
            self.stdout.write(f"{resource_type}: {count} resources reindexed")
        analyze_tables()
