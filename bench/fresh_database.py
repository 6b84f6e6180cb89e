"""Run a benchmark's worker in a process of its own against a fresh database.

A process per run keeps each run's peak memory its own; a fresh database keeps runs from
warming each other. SQLite lives in a temporary folder; PostgreSQL gets a database that
is dropped afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

PG = "postgres://postgres@127.0.0.1:5432"


def run_worker(
    script: str, database: str, worker_args: list[str], *, server: str = PG
) -> dict[str, object]:
    """`python script --worker DATABASE_URL *worker_args`; its last stdout line is JSON.
    PostgreSQL databases are made on `server` (a postgres:// URL without a database)."""
    with tempfile.TemporaryDirectory() as tmp:
        name = f"porch_bench_{os.getpid()}_{int(time.time())}"
        if database == "sqlite":
            url = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            _pg(server, f'CREATE DATABASE "{name}"')
            url = f"{server}/{name}"
        try:
            out = subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, script, "--worker", url, *worker_args],
                check=False,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PORCH_DATA_DIR": tmp},
            )
            if out.returncode != 0:
                raise SystemExit(f"{database} run failed (its stderr is above)")
        finally:
            if database == "postgres":
                _pg(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pg(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]
