"""`porch demo`: migrate, load the demo clinic once, then serve Porch with a worker beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from porch.demo import clinic, users
from porch.fhirapi.models import ApiToken
from porch.record.importer import import_paths

DEMO_TOKEN_NAME = "demo"  # noqa: S105 - the token's label, not its value


class Command(BaseCommand):
    help = "Run Porch with its demo clinic on this machine (SQLite unless DATABASE_URL says otherwise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address to serve on")
        parser.add_argument("--load-only", action="store_true", help="set up and load, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if clinic.is_loaded():
            self.stdout.write("Demo clinic already loaded.")
        else:
            self.stdout.write("Loading the demo clinic (first run only)...")
            summary = import_paths(clinic.demo_files())
            if summary.failures:
                raise SystemExit(f"Loading the demo clinic failed: {summary.failures[0]}")
            self.stdout.write(f"Loaded {summary.total_resources} resources.")
            clinic.tidy_names()
        sign_ins = users.ensure()
        self._print_sign_ins(sign_ins)
        token = self._fresh_token()
        if options["load_only"]:
            return
        self._print_welcome(options["bind"], token)
        self._serve(options["bind"])

    @staticmethod
    def _fresh_token() -> str:
        # A new demo token each start: the previous one is revoked, so no old value lingers.
        with transaction.atomic():
            ApiToken.objects.filter(name=DEMO_TOKEN_NAME).delete()
            _, plain = ApiToken.issue(DEMO_TOKEN_NAME)
        return plain

    def _print_sign_ins(self, sign_ins: list[users.SignIn]) -> None:
        lines = [
            "\nDemo sign-ins (all with the demo password of this install:"
            f" {users.demo_password()}, kept in {settings.DATA_DIR / users.PASSWORD_FILE})",
        ]
        for person in sign_ins:
            lines.append(f"  {person.label}: {person.email} ({person.name})")
            if person.note:
                lines.append(f"      {person.note}")
            if person.totp_secret:
                lines.append(f"      authenticator app (TOTP) secret: {person.totp_secret}")
        self.stdout.write("\n".join(lines))

    def _print_welcome(self, bind: str, token: str) -> None:
        base = f"http://{bind}"
        self.stdout.write(
            "\nPorch is running with its demo clinic.\n"
            f"  FHIR API capability statement: {base}/fhir/metadata\n"
            f"  Demo API token (this run only): {token}\n"
            f'  Try: curl -H "Authorization: Bearer {token}" "{base}/fhir/Patient?_count=5"\n'
            f"  Data lives in {settings.DATA_DIR}. Press Ctrl-C to stop.\n"
        )

    @staticmethod
    def _serve(bind: str) -> None:
        # Links in API answers name the address the demo is really served on.
        os.environ.setdefault("SITE_URL", f"http://{bind}")
        porch = [sys.executable, "-m", "porch.cli"]
        worker = subprocess.Popen([*porch, "worker"])  # noqa: S603 - our own interpreter and module
        try:
            subprocess.run([*porch, "serve", "--bind", bind], check=False)  # noqa: S603
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            worker.wait(timeout=10)
