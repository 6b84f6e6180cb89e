"""`porch api-token create NAME | revoke NAME | list`: bearer tokens for system clients.

The plain token is printed once, at creation; only its hash is stored, so a lost token
is revoked and replaced, never recovered.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from porch.fhirapi.models import ApiToken


class Command(BaseCommand):
    help = "Create, revoke and list the bearer tokens of FHIR API clients."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token and print it (once).")
        create.add_argument(
            "name", help="Who the token is for, e.g. lab-feed; shown in the audit log."
        )
        revoke = actions.add_parser(
            "revoke", help="Revoke a token; requests with it get 401 from now on."
        )
        revoke.add_argument("name")
        actions.add_parser("list", help="List tokens (never their values).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["name"])
        elif action == "revoke":
            self._revoke(options["name"])
        else:
            self._list()

    def _create(self, name: str) -> None:
        name = name.strip()
        if not name:
            raise CommandError("The token needs a name")
        try:
            with transaction.atomic():
                _, plain = ApiToken.issue(name)
        except IntegrityError as exc:
            raise CommandError(
                f"A token named {name!r} already exists (revoked tokens keep their name)"
            ) from exc
        self.stdout.write(plain)
        self.stderr.write(f"Token {name!r} created. It is shown only now: store it safely.")

    def _revoke(self, name: str) -> None:
        token = ApiToken.objects.filter(name=name).first()
        if token is None:
            raise CommandError(f"No token named {name!r}")
        # Conditional, so revoking twice keeps the first revocation time.
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        self.stdout.write(
            f"Token {name!r} revoked." if revoked else f"Token {name!r} was already revoked."
        )

    def _list(self) -> None:
        tokens = list(ApiToken.objects.order_by("name"))
        if not tokens:
            self.stdout.write("No tokens.")
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            created = f"{token.created_at:%Y-%m-%d %H:%M}"
            self.stdout.write(f"{token.name}\t{state}\tcreated {created}\tlast used {used}")
