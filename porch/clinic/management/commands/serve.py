"""`porch serve`: serve Porch over WSGI with gunicorn (DESIGN.md decision 12)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from porch.lib.env import env_int, env_str


class Command(BaseCommand):
    help = "Serve Porch with gunicorn (PORCH_BIND, PORCH_WEB_WORKERS, PORCH_WEB_THREADS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=env_str("PORCH_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=env_int("PORCH_WEB_WORKERS", 2, minimum=1)
        )
        parser.add_argument(
            "--threads", type=int, default=env_int("PORCH_WEB_THREADS", 4, minimum=1)
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "porch.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            # The path only: query strings carry search terms (names, birth dates), and
            # logs never carry health information.
            "--access-logformat",
            '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        ]
        # Replace this process so signals (Ctrl-C, SIGTERM from a supervisor) reach gunicorn.
        os.execv(sys.executable, argv)  # noqa: S606
