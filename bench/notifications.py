"""Benchmark: enqueue and deliver 10,000 email notifications with two workers.

Usage (from the repository root, with the virtual environment):
    .venv/bin/python bench/notifications.py [--runs 3] [--databases sqlite,postgres]
                                            [--events 10000] [--workers 2]

Each run, in a process of its own against a fresh database (bench/fresh_database.py):
migrate; make 1,000 accounts; start a real SMTP server on loopback (aiosmtpd) and two
`porch worker` processes; then write 10,000 events, each in its own transaction calling
do_notify_users (one notification, one email delivery, one task row), as fast as one
process can. Every email's arrival at the SMTP server is matched to its event by its
Message-ID (derived from the notification key), so the delay is measured from the commit
of the event to the end of SMTP DATA. Reported: deliveries per second (first commit to
last arrival) and the p50/p95/max delay. Results go to bench/results/notifications.json;
quote medians: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fresh_database import run_worker

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ACCOUNTS = 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Arrivals:
    """The SMTP handler: when each Message-ID arrived."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.duplicates = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
                if message_id in self.at:
                    self.duplicates += 1
                self.at.setdefault(message_id, now)
                break
            if not line:
                break
        return "250 OK"


def worker(database_url: str, events: int, workers: int) -> dict[str, object]:
    """One run, inside its own process."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "porch.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from porch.accounts.models import User
    from porch.notifications.actions import do_notify_users
    from porch.notifications.kinds import Kind
    from porch.notifications.mail import message_id
    from porch.notifications.models import Delivery, Notification

    call_command("migrate", verbosity=0)
    unusable = make_password(None)
    User.objects.bulk_create(
        User(username=f"p{i}", email=f"p{i}@example.org", password=unusable)
        for i in range(ACCOUNTS)
    )
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))

    arrivals = Arrivals()
    port = free_port()
    controller = Controller(arrivals, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_DELIVERY": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "porch.cli", "worker", "--interval", "0.05"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    committed: dict[str, float] = {}
    try:
        started = time.time()
        for i in range(events):
            user_id = user_ids[i % len(user_ids)]
            key = f"bench:{i}"
            with transaction.atomic():
                do_notify_users([user_id], Kind.MESSAGE, link=f"/messages/{i}/", key=key)
            committed[message_id(Notification(key=key, recipient_id=user_id))] = time.time()
        enqueued = time.time()
        deadline = enqueued + 1800
        while len(arrivals.at) < events and time.time() < deadline:
            time.sleep(0.2)
        finished = max(arrivals.at.values()) if arrivals.at else time.time()
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        controller.stop()
    delays = sorted(arrivals.at[m] - committed[m] for m in arrivals.at if m in committed)
    statuses = dict.fromkeys(Delivery.Status.values, 0)
    for status in Delivery.objects.values_list("status", flat=True):
        statuses[status] += 1
    return {
        "events": events,
        "workers": workers,
        "delivered": len(arrivals.at),
        "duplicates": arrivals.duplicates,
        "statuses": {k: v for k, v in statuses.items() if v},
        "enqueue_seconds": round(enqueued - started, 2),
        "enqueue_per_second": round(events / (enqueued - started), 1),
        "seconds": round(finished - started, 2),
        "deliveries_per_second": round(len(arrivals.at) / (finished - started), 1),
        "delay_p50_seconds": round(statistics.median(delays), 2) if delays else None,
        "delay_p95_seconds": round(delays[int(0.95 * (len(delays) - 1))], 2) if delays else None,
        "delay_max_seconds": round(delays[-1], 2) if delays else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", default=str(RESULTS / "notifications.json"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.events, args.workers)))
        return
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "events": args.events,
        "workers": args.workers,
    }
    for database in args.databases.split(","):
        runs = []
        for number in range(args.runs):
            result = run_worker(
                __file__, database, ["--events", str(args.events), "--workers", str(args.workers)]
            )
            print(database, number + 1, json.dumps(result), file=sys.stderr)
            runs.append(result)
        report[database] = {
            "runs": runs,
            "median": {
                key: statistics.median(float(r[key]) for r in runs)  # type: ignore[arg-type]
                for key in (
                    "deliveries_per_second",
                    "delay_p50_seconds",
                    "delay_p95_seconds",
                    "enqueue_per_second",
                )
            },
        }
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({db: report[db]["median"] for db in args.databases.split(",")}, indent=2))


if __name__ == "__main__":
    main()
