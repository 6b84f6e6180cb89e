"""Benchmark: 50 patients race for 20 appointment slots over HTTP; nobody double-books.

Usage (from the repository root, with the virtual environment):
    .venv/bin/python bench/booking.py [--runs 3] [--clients 50] [--slots 20]
        [--web-workers 4] [--web-threads 4] [--overlap] [--seed 1]
        [--database-url postgres://postgres@127.0.0.1:5432 | sqlite]

Each run, in a process of its own against a fresh database (bench/fresh_database.py;
by default a new PostgreSQL database on the server `--database-url` names, dropped
afterwards): migrate; one clinician ("pr-bench") with `--slots` back-to-back 20-minute
Follow-up slots tomorrow (9:00 on, clinic time), written by extend_slots like the daily
job; `--overlap` adds 40-minute Long visits over the same hours, so a long visit and two
follow-ups claim the same cells of the clinician's time (the Claim rows). `--clients`
patients, each with an account linked to their own FHIR Patient. A real server
(`porch serve`: gunicorn, `--web-workers` processes of `--web-threads` threads) on
loopback; each client is a thread with its own cookie jar and keep-alive connection from
its own loopback address (127.0.0.<n>: sign-in is rate limited per address, as for
people at home).

Untimed: every client signs in through allauth's pages (GET the form, POST email and
password with the CSRF token), then warms up (GETs the list and one confirm page, so the
server's processes have compiled their templates and opened their database connections,
like those of a clinic that has been open all morning). Then all wait at a barrier and start together; each, until
it has one booking or no open time is left: GET the list of open times
`/appointments/book/`, choose one at random, GET its confirm page (the one-time `key` and
the CSRF token), POST it: 302 is a booking, 409 someone else got it (try another), any
other answer is counted and ends that client.

Timed: wall time from the barrier to the last client's last answer; bookings per second
over it; p50/p95 of the booking POSTs (all, and by answer); the count of each answer.

Proved after each run, by reading the database: no slot with two active bookings; no two
active bookings of the clinician overlapping in time; no Claim cell held twice, every
claim belonging to an active booking and every active booking claiming exactly its
slot's cells; no inactive booking (a loser writes nothing); every booked FHIR
Appointment is the Appointment of exactly one active booking, of the same patient and
slot, and no other Appointment exists; the FHIR Slots of booked slots are busy and the
others free; each patient holds at most one booking; the 302 count equals the active
bookings; and no open time is left (without `--overlap`: active bookings = slots).
A failed proof makes the run fail. Results go to bench/results/booking.json; quote
medians: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fresh_database import PG, run_worker

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PRACTITIONER = "pr-bench"
LOCATION = "Bench Street Clinic"
PASSWORD = "bench horse battery staple"  # noqa: S105 - synthetic accounts, throwaway database
FIRST_START = clock(9)
SERVER_START_SECONDS = 90

OPEN_TIME = re.compile(r'href="/appointments/book/(\d+)/"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_FIELD = re.compile(r'name="key" value="([^"]*)"')


# --- the HTTP client: one per patient -------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """One person's browser: a keep-alive connection from its own loopback address and a
    cookie jar (session and CSRF cookies)."""

    def __init__(self, port: int, source: str) -> None:
        self.port = port
        self.source = source
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Answer:
        return self._send("GET", path, None)

    def post(self, path: str, form: dict[str, str]) -> Answer:
        return self._send("POST", path, form)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(self, method: str, path: str, form: dict[str, str] | None) -> Answer:
        origin = f"http://127.0.0.1:{self.port}"
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "en"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = origin
            headers["Referer"] = origin + path
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=120, source_address=(self.source, 0)
                )
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection (gunicorn's keepalive is
                # 2 s): a browser reconnects and sends again. Resending a confirm is safe,
                # its one-time key makes a second submit find the first booking.
                self.close()
                if reused and attempt == 1:
                    continue
                raise
            for value in response.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie()
                jar.load(value)
                for name, morsel in jar.items():
                    self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return Answer(response.status, response.getheader("Location", ""), text)
        raise AssertionError("unreachable")


def sign_in(browser: Browser, email: str) -> None:
    form = browser.get("/accounts/login/")
    csrf = CSRF_FIELD.search(form.body)
    if form.status != 200 or csrf is None:
        raise RuntimeError(f"sign-in page answered {form.status} without a CSRF token")
    done = browser.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf.group(1), "login": email, "password": PASSWORD},
    )
    if done.status != 302 or done.location.startswith("/accounts/"):
        raise RuntimeError(f"sign-in of {email} answered {done.status} to {done.location!r}")


@dataclass
class Client:
    """One patient's run: what they asked and what they got."""

    email: str
    browser: Browser
    rng: random.Random
    posts: list[tuple[int, float]] = field(default_factory=list)  # (status, seconds)
    # Seconds of each GET of the open-times list and of a confirm page.
    lists: list[float] = field(default_factory=list)
    confirms: list[float] = field(default_factory=list)
    booked_slot: int | None = None
    ended: str = ""
    finished_at: float = 0.0
    booked_at: float = 0.0
    error: str = ""

    def warm_up(self) -> None:
        """Untimed: the list and one confirm page, so the timed requests find the server's
        processes warm (templates compiled, connections open), as a running clinic's are."""
        listing = self.browser.get("/appointments/book/")
        choices = OPEN_TIME.findall(listing.body)
        if listing.status != 200 or not choices:
            raise RuntimeError(f"warm-up: the list answered {listing.status}")
        page = self.browser.get(f"/appointments/book/{choices[0]}/")
        if page.status != 200:
            raise RuntimeError(f"warm-up: a confirm page answered {page.status}")

    def book_one(self) -> None:
        """Until booked or no time is left: list, choose, confirm."""
        while True:
            listing = self._get("/appointments/book/", self.lists)
            choices = sorted({int(pk) for pk in OPEN_TIME.findall(listing.body)})
            if listing.status != 200:
                self.ended = f"list answered {listing.status}"
                return
            if not choices:
                self.ended = "none left"
                return
            slot = self.rng.choice(choices)
            page = self._get(f"/appointments/book/{slot}/", self.confirms)
            csrf, key = CSRF_FIELD.search(page.body), KEY_FIELD.search(page.body)
            if page.status != 200 or csrf is None or key is None:
                self.ended = f"confirm page answered {page.status}"
                return
            form = {"csrfmiddlewaretoken": csrf.group(1), "key": key.group(1)}
            started = time.perf_counter()
            answer = self.browser.post(f"/appointments/book/{slot}/", form)
            now = time.perf_counter()
            self.posts.append((answer.status, now - started))
            if answer.status == 302:
                self.booked_slot, self.booked_at, self.ended = slot, now, "booked"
                return
            if answer.status != 409:
                self.ended = f"booking answered {answer.status}"
                return

    def _get(self, path: str, timings: list[float]) -> Answer:
        started = time.perf_counter()
        answer = self.browser.get(path)
        timings.append(time.perf_counter() - started)
        return answer


# --- one run, in its own process ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build_clinic(slots: int, overlap: bool) -> dict[str, int]:
    """The clinician, visit types and tomorrow's slots; returns slots per visit type."""
    from django.utils import timezone

    from porch.access.context import AccessContext
    from porch.record import repository
    from porch.scheduling.models import AvailabilityTemplate, Slot, VisitType
    from porch.scheduling.slots import extend_slots

    ctx = AccessContext.system(actor="system:bench", purpose="bench")
    repository.create(
        ctx,
        {"resourceType": "Practitioner", "name": [{"family": "Bench", "given": ["Bea"]}]},
        fhir_id=PRACTITIONER,
    )
    follow_up = VisitType.objects.create(
        name="Follow-up", slug="follow-up", minutes=20, cancel_cutoff_hours=0
    )
    kinds = [follow_up]
    if overlap:
        kinds.append(VisitType.objects.create(name="Long visit", slug="long", minutes=40))
    tomorrow = timezone.localdate() + timedelta(days=1)
    ends = datetime.combine(tomorrow, FIRST_START) + timedelta(minutes=20 * slots)
    if ends.date() != tomorrow:
        raise SystemExit(f"--slots {slots}: 20-minute slots from 9:00 must end the same day")
    template = AvailabilityTemplate.objects.create(
        practitioner_id=PRACTITIONER,
        location=LOCATION,
        weekday=tomorrow.weekday(),
        starts_at=FIRST_START,
        ends_at=ends.time(),
    )
    template.visit_types.set(kinds)
    extend_slots(1, today=tomorrow)
    made = {kind.slug: Slot.objects.filter(visit_type=kind).count() for kind in kinds}
    if made["follow-up"] != slots:
        raise SystemExit(f"extend_slots made {made} slots, expected {slots} follow-ups")
    return made


def make_patients(clients: int) -> list[str]:
    """`clients` patient accounts, each linked to a Patient of their own; their emails."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from porch.access.context import AccessContext
    from porch.accounts.models import PatientLink, Role, RoleAssignment, User
    from porch.record import repository

    ctx = AccessContext.system(actor="system:bench", purpose="bench")
    password = make_password(PASSWORD)  # hashed once: every account shares it
    emails = []
    for number in range(clients):
        email = f"bench-patient-{number}@example.org"
        patient = repository.create(
            ctx,
            {
                "resourceType": "Patient",
                "name": [{"family": "Patient", "given": [f"Bench{number}"]}],
                "birthDate": "1980-01-01",
            },
        ).stored.id
        user = User.objects.create_user(username=email, email=email, password=None)
        User.objects.filter(pk=user.pk).update(password=password)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        RoleAssignment.objects.create(user=user, role=Role.PATIENT)
        PatientLink.objects.create(user=user, patient_id=patient)
        emails.append(email)
    return emails


def start_server(database_url: str, workers: int, threads: int, log: Path) -> tuple[Any, int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORCH_ENV": "development",  # plain HTTP on loopback: no secure-only cookies
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and entry point
        [
            sys.executable,
            "-m",
            "porch.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # the access log
        stderr=log.open("w"),
    )
    deadline = time.time() + SERVER_START_SECONDS
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start:\n{log.read_text()[-3000:]}")
        try:
            probe = Browser(port, "127.0.0.1")
            if probe.get("/accounts/login/").status == 200:
                probe.close()
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"the server did not answer within {SERVER_START_SECONDS} s")


def stop_server(server: Any) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def race(port: int, emails: list[str], seed: int) -> dict[str, Any]:
    """Sign everyone in, release them together, and gather what happened."""
    clients = [
        Client(
            email,
            Browser(port, f"127.0.0.{10 + number}"),
            random.Random(f"{seed}:{number}"),
        )
        for number, email in enumerate(emails)
    ]
    released: list[float] = []
    barrier = threading.Barrier(len(clients), action=lambda: released.append(time.perf_counter()))

    def run(client: Client) -> None:
        try:
            sign_in(client.browser, client.email)
            client.warm_up()
        except Exception as exc:
            client.error = f"sign-in or warm-up: {exc!r}"
            barrier.abort()
            return
        try:
            barrier.wait(timeout=600)
        except threading.BrokenBarrierError:
            client.error = client.error or "another client failed to sign in"
            return
        try:
            client.book_one()
        except Exception as exc:
            client.error = f"booking: {exc!r}"
        finally:
            client.finished_at = time.perf_counter()
            client.browser.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = sorted({c.error for c in clients if c.error})
    if errors or not released:
        raise SystemExit(f"clients failed: {errors}")
    start = released[0]
    wall = max(c.finished_at for c in clients) - start
    booked = [c for c in clients if c.booked_slot is not None]
    posts = sorted(seconds for c in clients for _status, seconds in c.posts)
    by_status: dict[str, list[float]] = {}
    for c in clients:
        for status, seconds in c.posts:
            by_status.setdefault(str(status), []).append(seconds)
    counts = {status: len(times) for status, times in sorted(by_status.items())}
    lists = sorted(t for c in clients for t in c.lists)
    confirms = sorted(t for c in clients for t in c.confirms)
    return {
        "wall_seconds": round(wall, 3),
        "bookings": len(booked),
        "bookings_per_second": round(len(booked) / wall, 2),
        "seconds_to_last_booking": round(max(c.booked_at for c in booked) - start, 3)
        if booked
        else None,
        "booking_posts": len(posts),
        "answers": counts,
        "other_answers": sum(n for s, n in counts.items() if s not in {"302", "409"}),
        "post_p50_ms": _ms(_percentile(posts, 0.5)),
        "post_p95_ms": _ms(_percentile(posts, 0.95)),
        "post_by_answer_ms": {
            status: {
                "p50": _ms(_percentile(sorted(t), 0.5)),
                "p95": _ms(_percentile(sorted(t), 0.95)),
            }
            for status, t in sorted(by_status.items())
        },
        "list_gets": len(lists),
        "list_p50_ms": _ms(_percentile(lists, 0.5)),
        "list_p95_ms": _ms(_percentile(lists, 0.95)),
        "confirm_gets": len(confirms),
        "confirm_p50_ms": _ms(_percentile(confirms, 0.5)),
        "confirm_p95_ms": _ms(_percentile(confirms, 0.95)),
        "requests_per_second": round((len(lists) + len(confirms) + len(posts)) / wall, 1),
        "clients_ended": _tally(c.ended for c in clients),
        "booked_by_client": {c.email: c.booked_slot for c in booked},
    }


def prove(http_bookings: int, overlap: bool) -> dict[str, Any]:
    """Read the database after the run: every way a double booking could show."""
    from django.db.models import Count

    from porch.access.context import AccessContext
    from porch.scheduling.models import CELL_MINUTES, Booking, Claim, Slot
    from porch.scheduling.queries import open_slots

    ctx = AccessContext.system(actor="system:bench", purpose="bench")
    slots = list(Slot.objects.all())
    active = list(Booking.objects.filter(active=True).select_related("slot"))
    by_fhir_slot = {b.slot.fhir_id: b for b in active}

    overlapping = [
        (a.pk, b.pk)
        for i, a in enumerate(active)
        for b in active[i + 1 :]
        if a.slot.practitioner_id == b.slot.practitioner_id
        and a.slot.starts_at < b.slot.ends_at
        and b.slot.starts_at < a.slot.ends_at
    ]
    claims_wrong = 0
    for booking in active:
        wanted, moment = set(), booking.slot.starts_at
        while moment < booking.slot.ends_at:
            wanted.add((booking.slot.practitioner_id, moment))
            moment += timedelta(minutes=CELL_MINUTES)
        held = set(booking.claims.values_list("practitioner_id", "cell"))
        claims_wrong += held != wanted

    appointments = _all(ctx, "Appointment")
    booked_appointments = [a for a in appointments if a.get("status") == "booked"]
    appointment_mismatches = 0
    for content in booked_appointments:
        slot_ref = content["slot"][0]["reference"].removeprefix("Slot/")
        owner = by_fhir_slot.get(slot_ref)
        patient = content["participant"][0]["actor"]["reference"].removeprefix("Patient/")
        appointment_mismatches += (
            owner is None or owner.appointment_id != content["id"] or owner.patient_id != patient
        )
    fhir_slots = {s["id"]: s.get("status") for s in _all(ctx, "Slot")}
    slot_status_wrong = sum(
        fhir_slots.get(s.fhir_id) != ("busy" if s.fhir_id in by_fhir_slot else "free")
        for s in slots
    )
    checks = {
        "slots_with_two_active_bookings": Booking.objects.filter(active=True)
        .values("slot")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
        "overlapping_active_bookings": len(overlapping),
        "claim_cells_held_twice": Claim.objects.values("practitioner_id", "cell")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
        "claims_of_inactive_bookings": Claim.objects.filter(booking__active=False).count(),
        "bookings_with_wrong_claims": claims_wrong,
        "inactive_bookings": Booking.objects.filter(active=False).count(),
        "patients_with_two_bookings": Booking.objects.filter(active=True)
        .values("patient_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
        "booked_appointments_not_matching_a_booking": appointment_mismatches,
        "appointments_not_booked": len(appointments) - len(booked_appointments),
        "fhir_slots_with_wrong_status": slot_status_wrong,
        "open_times_left": open_slots().count(),
    }
    figures = {
        "slots": len(slots),
        "active_bookings": len(active),
        "booked_appointments": len(booked_appointments),
        "claims": Claim.objects.count(),
        "bookings_answered_302": http_bookings,
    }
    equal = len(active) == len(booked_appointments) == http_bookings
    if not overlap:
        equal = equal and len(active) == len(slots)
    return {
        **figures,
        **checks,
        "counts_agree": equal,
        "zero_double_bookings": equal and not any(checks.values()),
    }


def _all(ctx: Any, resource_type: str) -> list[dict[str, Any]]:
    from porch.record import repository

    found, offset = [], 0
    while True:
        page = repository.search(
            ctx, resource_type, [("_count", "1000"), ("_offset", str(offset)), ("_total", "none")]
        )
        found += [m.content or {} for m in page.matches]
        if not page.has_next:
            return found
        offset += len(page.matches)


def worker(database_url: str, args: argparse.Namespace) -> dict[str, object]:
    """One run, inside its own process."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "porch.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    made = build_clinic(args.slots, args.overlap)
    emails = make_patients(args.clients)
    connection.close()
    log = Path(os.environ.get("PORCH_DATA_DIR", "/tmp")) / "server.log"  # noqa: S108
    server, port = start_server(database_url, args.web_workers, args.web_threads, log)
    load_before = os.getloadavg()[0]
    try:
        result = race(port, emails, args.seed)
    finally:
        stop_server(server)
    # Other work on the machine (the 1-minute load average, before and after the race).
    result["load_average_1m"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    errors = log.read_text()
    proof = prove(int(result["answers"].get("302", 0)), args.overlap)
    return {
        "slots_by_visit_type": made,
        **{k: v for k, v in result.items() if k != "booked_by_client"},
        "server_errors_logged": errors.count("Traceback"),
        "proof": proof,
    }


# --- the runs -------------------------------------------------------------------------


def _percentile(ordered: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of a sorted list."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil
    return ordered[int(rank) - 1]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _tally(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


MEDIANS = (
    "wall_seconds",
    "bookings_per_second",
    "seconds_to_last_booking",
    "post_p50_ms",
    "post_p95_ms",
    "list_p50_ms",
    "confirm_p50_ms",
    "requests_per_second",
    "booking_posts",
)


def postgres_version(server: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres") as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--slots", type=int, default=20)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--overlap", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=PG,
        help="PostgreSQL server to make each run's fresh database on, or 'sqlite'",
    )
    parser.add_argument("--output", default=str(RESULTS / "booking.json"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args)))
        return
    if not 1 <= args.clients <= 240:
        parser.error("--clients must be 1 to 240 (one loopback address each)")
    sqlite = args.database_url == "sqlite"
    forwarded = [
        *("--clients", str(args.clients), "--slots", str(args.slots)),
        *("--web-workers", str(args.web_workers), "--web-threads", str(args.web_threads)),
        *(["--overlap"] if args.overlap else []),
    ]
    runs = []
    for number in range(args.runs):
        result = run_worker(
            __file__,
            "sqlite" if sqlite else "postgres",
            [*forwarded, "--seed", str(args.seed + number)],
            server=args.database_url.rstrip("/") if not sqlite else PG,
        )
        print(f"run {number + 1}:", json.dumps(result), file=sys.stderr)
        runs.append(result)
    proofs = [r["proof"] for r in runs]
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}",
        "database": "SQLite" if sqlite else f"PostgreSQL {postgres_version(args.database_url)}",
        "settings": {
            "clients": args.clients,
            "slots": args.slots,
            "overlap": args.overlap,
            "server": f"porch serve (gunicorn gthread): {args.web_workers} worker processes "
            f"x {args.web_threads} threads",
            "seed": args.seed,
            "runs": args.runs,
        },
        "zero_double_bookings_in_every_run": all(
            p["zero_double_bookings"]  # type: ignore[index]
            for p in proofs
        ),
        "runs": runs,
        "median": {
            key: statistics.median(float(r[key]) for r in runs if r[key] is not None)  # type: ignore[arg-type]
            for key in MEDIANS
        },
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("median", "zero_double_bookings_in_every_run")}))
    if not report["zero_double_bookings_in_every_run"]:
        raise SystemExit(f"a proof failed; see {args.output}")


if __name__ == "__main__":
    main()
