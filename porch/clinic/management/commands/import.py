"""`porch import PATH...`: load FHIR Bundles, NDJSON, folders and zips into the record.

The module is named `import.py` so users type `porch import`; Django loads commands with
importlib.import_module, which does not mind that `import` is a Python keyword.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from porch.record.importer import Progress, import_paths

# Without a terminal (a log, CI), one progress line every few seconds is enough.
LOG_INTERVAL = 5.0
TTY_INTERVAL = 0.5


class Command(BaseCommand):
    help = (
        "Import FHIR R4 data: Bundle JSON (transaction, batch, collection, searchset, or "
        "any other Bundle stored whole), single resources, NDJSON, .gz/.bz2, folders, .zip."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
        parser.add_argument("--no-progress", action="store_true", help="print only the summary")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}", returncode=2)
        reporter = None if options["no_progress"] else _Reporter(self.stderr)
        try:
            summary = import_paths(paths, progress=reporter.update if reporter else None)
        finally:
            if reporter:
                reporter.stop()
        for failure in summary.failures:
            self.stderr.write(f"FAILED {failure}")
        for line in summary.lines():
            self.stdout.write(line)
        if summary.failures:
            raise CommandError(
                f"{len(summary.failures)} problem(s); see FAILED lines above", returncode=1
            )


class _Reporter:
    """Shows progress on a stream: redrawn in place on a terminal, a line now and then in a log.

    A thread draws it, so progress keeps coming while one large bundle is being written.
    """

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.latest: Progress | None = None
        self.started = time.monotonic()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def update(self, progress: Progress) -> None:
        self.latest = progress

    def stop(self) -> None:
        self.done.set()
        self.thread.join()
        if self.tty and self.latest is not None:
            self.stream.write("")

    def _loop(self) -> None:
        interval = TTY_INTERVAL if self.tty else LOG_INTERVAL
        while not self.done.wait(interval):
            # Redrawn with the time now, so the rate and time left move during a long bundle.
            latest = self.latest or Progress(0, 0, 0, 0.0, "")
            self._draw(dataclasses.replace(latest, elapsed=time.monotonic() - self.started))

    def _draw(self, p: Progress) -> None:
        text = f"{p.resources} resources, {p.rate:.0f}/s"
        if p.bytes_total:
            text += f", {100 * p.bytes_done / p.bytes_total:.0f}% of {p.bytes_total / 1e6:.1f} MB"
        left = p.seconds_left
        if left is not None:
            text += f", about {left:.0f} s left"
        if self.tty:
            self.stream.write(f"\r\x1b[K{text}", ending="")
        else:
            self.stream.write(f"import: {text}")
        self.stream.flush()
