"""Import FHIR data from files: Bundles, NDJSON, compressed files, folders and zips.

What each kind of input becomes (docs/import.md says the same for users):
- a transaction Bundle runs as one transaction (all-or-nothing), a batch Bundle entry by
  entry, both through porch.record.bundles in import mode; read-only entries (GET, HEAD)
  are left out, because an import stores data and a read changes nothing;
- the entries of a collection or searchset Bundle, a single resource, and every line of
  an NDJSON file are upserts by id (PUT Type/id); a resource without an id gets a uuid5 of
  its canonical JSON, so importing the same file again changes nothing;
- any other Bundle (document, message, ...) is a resource in its own right and is stored
  as one Bundle, untouched.

Memory stays flat with file size: NDJSON is read line by line and written CHUNK lines per
transaction, compressed files and zip members are decompressed as they are read. Only a
single Bundle is parsed whole, since it is one all-or-nothing unit anyway.
"""

from __future__ import annotations

import bz2
import gzip
import re
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

import orjson
from django.db import DatabaseError, transaction
from django.utils import timezone

from porch.access.context import AccessContext
from porch.record import bundles, repository
from porch.record.errors import FhirError

# Lines of NDJSON per transaction: big enough for bulk statements to pay off, small enough
# that a rejected chunk loses little and memory stays a few megabytes.
CHUNK = 500
# Issues named per failure: enough to fix the file, short enough to read.
MAX_ISSUES = 3
# Synthea writes the organizations and practitioners that patient bundles refer to (by
# conditional reference) into these files: they are imported before everything else.
_SHARED_FIRST = re.compile(r"hospitalInformation|practitionerInformation")
_ENTRY_INDEX = re.compile(r"Bundle\.entry\[(\d+)\]")
_UUID_URN = re.compile(r"^urn:uuid:([0-9a-fA-F-]{36})$")
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_TYPE_PATH = re.compile(r"/([A-Z][A-Za-z]+(?:/[A-Za-z0-9\-.]{1,64})?)$")
_TYPE_QUERY = re.compile(r"^[A-Z][A-Za-z]+\?")
# Ids made up for resources that have none: uuid5 in a namespace of Porch's own.
_ID_NAMESPACE = uuid.UUID("6f1c2d1e-5b8a-4a53-9e4a-2f0d7c9b6a11")
_BUNDLE_TYPES_RUN = frozenset({"transaction", "batch"})
_BUNDLE_TYPES_SPLIT = frozenset({"collection", "searchset"})


@dataclass(frozen=True)
class Failure:
    """One rejected unit: a file, a bundle entry, or an NDJSON chunk."""

    source: str  # file, or "archive.zip!member"
    where: str  # "entry 3", "line 17", or "" for the whole file
    resource: str  # "Observation/abc" when known
    problem: str

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.source, self.where, self.resource) if p)
        return f"{place}: {self.problem}"


@dataclass(frozen=True)
class Progress:
    resources: int
    bytes_done: int
    bytes_total: int
    elapsed: float
    current: str

    @property
    def rate(self) -> float:
        return self.resources / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        """Estimated from bytes read so far; None until there is something to go on."""
        if self.bytes_done <= 0 or self.bytes_total <= 0:
            return None
        return self.elapsed * max(self.bytes_total - self.bytes_done, 0) / self.bytes_done


@dataclass
class ImportSummary:
    # resource type -> {"created": n, "updated": n, "unchanged": n, "deleted": n}
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_ok: int = 0
    files_failed: int = 0
    skipped: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def total(self, outcome: str | None = None) -> int:
        return sum(c[outcome] if outcome else sum(c.values()) for c in self.counts.values())

    @property
    def total_resources(self) -> int:
        return self.total()

    @property
    def rate(self) -> float:
        return self.total() / self.elapsed if self.elapsed > 0 else 0.0

    def lines(self) -> list[str]:
        """The summary as text, one line per resource type."""
        out = [
            f"Files: {self.files_ok} ok, {self.files_failed} failed, {len(self.skipped)} skipped"
        ]
        if self.skipped:
            out.append(f"  skipped (not FHIR JSON or NDJSON): {', '.join(self.skipped)}")
        out += [f"  note: {note}" for note in self.notes]
        width = max((len(t) for t in self.counts), default=8)
        out.append(f"{'Resource type':<{width}}  created  updated  unchanged")
        for rtype in sorted(self.counts):
            c = self.counts[rtype]
            out.append(
                f"{rtype:<{width}}  {c['created']:>7}  {c['updated']:>7}  {c['unchanged']:>9}"
            )
        totals = (self.total("created"), self.total("updated"), self.total("unchanged"))
        out.append(f"{'Total':<{width}}  {totals[0]:>7}  {totals[1]:>7}  {totals[2]:>9}")
        out.append(f"{self.total()} resources in {self.elapsed:.1f} s ({self.rate:.0f}/s)")
        return out


ProgressCallback = Callable[[Progress], None]


def import_paths(
    paths: list[Path], *, ctx: AccessContext | None = None, progress: ProgressCallback | None = None
) -> ImportSummary:
    """Import every FHIR file under `paths`; failures are collected, not raised.

    Raises FileNotFoundError, before anything is imported, for a path that does not exist.
    """
    files = collect_files(paths)
    run = _Run(ctx or AccessContext.system(actor="system:import", purpose="import"), progress)
    run.bytes_total = sum(f.stat().st_size for f in files)
    for path in files:
        failures_before = len(run.summary.failures)
        handled = _import_file(run, path)
        run.bytes_base += path.stat().st_size
        if not handled:
            run.summary.skipped.append(str(path))
        elif len(run.summary.failures) > failures_before:
            run.summary.files_failed += 1
        else:
            run.summary.files_ok += 1
        run.tick("")
    run.summary.elapsed = time.monotonic() - run.started
    return run.summary


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files under `paths`, folders walked recursively in sorted order, shared data first.

    Raises FileNotFoundError naming the first path that does not exist.
    """
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path))
            )
        else:
            files.append(path)
    # A stable sort: only the shared-data files move; everything else keeps its order.
    return sorted(files, key=lambda p: not _SHARED_FIRST.search(p.name))


def _hidden(relative: PurePosixPath | Path) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in relative.parts)


class _Run:
    """The state of one import: counts, failures, progress."""

    def __init__(self, ctx: AccessContext, progress: ProgressCallback | None) -> None:
        self.ctx = ctx
        self.progress = progress
        self.summary = ImportSummary()
        self.started = time.monotonic()
        self.bytes_total = 0
        self.bytes_base = 0  # bytes of the files already done
        self.current: IO[bytes] | None = None  # the file on disk being read

    def fail(self, source: str, where: str, resource: str, problem: str) -> None:
        self.summary.failures.append(Failure(source, where, resource, problem))

    def count(self, resource_type: str, outcome: str) -> None:
        self.summary.counts.setdefault(resource_type, Counter())[outcome] += 1

    def tick(self, current: str) -> None:
        if self.progress is None:
            return
        position = 0
        if self.current is not None and not self.current.closed:
            position = self.current.tell()
        elapsed = time.monotonic() - self.started
        self.progress(
            Progress(
                self.summary.total(), self.bytes_base + position, self.bytes_total, elapsed, current
            )
        )


# --- files ----------------------------------------------------------------------------


def _import_file(run: _Run, path: Path) -> bool:
    """Import one file on disk; False when it is not a kind of file we import."""
    name = path.name.lower()
    if name.endswith(".zip"):
        with path.open("rb") as raw:
            run.current = raw
            _import_zip(run, str(path), raw)
        return True
    if _kind(name) is None:
        return False
    with path.open("rb") as raw:
        run.current = raw
        _import_stream(run, str(path), name, raw)
    return True


def _import_zip(run: _Run, label: str, raw: IO[bytes]) -> None:
    try:
        archive = zipfile.ZipFile(raw)
    except zipfile.BadZipFile as exc:
        run.fail(label, "", "", f"not a readable zip file: {exc}")
        return
    with archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir() and not _hidden(PurePosixPath(m.filename))
        ]
        members.sort(key=lambda m: (not _SHARED_FIRST.search(m.filename), m.filename))
        for member in members:
            source = f"{label}!{member.filename}"
            name = PurePosixPath(member.filename)
            # A member that would land outside the archive's folder is hostile: refuse it.
            if name.is_absolute() or ".." in name.parts or "\\" in member.filename:
                run.fail(source, "", "", "refused: the member's path is absolute or contains '..'")
            elif _kind(name.name.lower()) is None:
                run.summary.skipped.append(source)
            else:
                with archive.open(member) as stream:
                    _import_stream(run, source, name.name.lower(), stream)


def _kind(name: str) -> str | None:
    for suffix in (".gz", ".bz2"):
        name = name.removesuffix(suffix)
    if name.endswith((".ndjson", ".jsonl")):
        return "ndjson"
    return "json" if name.endswith(".json") else None


def _import_stream(run: _Run, source: str, name: str, raw: IO[bytes]) -> None:
    with _decompressed(name, raw) as stream:
        try:
            if _kind(name) == "ndjson":
                _import_ndjson(run, source, stream)
            else:
                _import_json(run, source, stream.read())
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            run.fail(source, "", "", f"could not be read: {exc}")


@contextmanager
def _decompressed(name: str, raw: IO[bytes]) -> Iterator[IO[bytes]]:
    if name.endswith(".gz"):
        with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
            yield stream
    elif name.endswith(".bz2"):
        with bz2.BZ2File(raw, mode="rb") as bz:
            yield bz
    else:
        yield raw


# --- JSON files -----------------------------------------------------------------------


def _import_json(run: _Run, source: str, data: bytes) -> None:
    if not data.strip():
        run.fail(source, "", "", "the file is empty (expected a FHIR resource or Bundle)")
        return
    try:
        content = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        run.fail(
            source, "", "", f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        )
        return
    del data
    if not isinstance(content, dict) or not isinstance(content.get("resourceType"), str):
        run.fail(source, "", "", "not a FHIR resource (expected a JSON object with resourceType)")
        return
    kind = content.get("type") if content["resourceType"] == "Bundle" else None
    if kind in _BUNDLE_TYPES_RUN:
        _import_bundle(run, source, content)
    elif kind in _BUNDLE_TYPES_SPLIT:
        _import_collection(run, source, content)
    else:
        _upsert_one(run, source, content)
    run.tick(source)


def _upsert_one(run: _Run, source: str, resource: dict[str, Any]) -> None:
    """A single resource, or a Bundle kept whole: one update by id, nothing rewritten."""
    rtype = resource["resourceType"]
    fhir_id = _id_for(resource, None)
    try:
        with transaction.atomic():
            outcome = repository.update(run.ctx, rtype, fhir_id, {**resource, "id": fhir_id})
    except FhirError as exc:
        run.fail(source, "", f"{rtype}/{fhir_id}", _problem(exc))
    except DatabaseError as exc:
        run.fail(source, "", f"{rtype}/{fhir_id}", f"database error: {exc}")
    else:
        run.count(rtype, outcome.status)


def _id_for(resource: dict[str, Any], full_url: Any, *, prefer_urn: bool = False) -> str:
    """The resource's own id, else its urn:uuid fullUrl, else a uuid5 of its content.

    `prefer_urn` puts the fullUrl first, as bundles.py does for a POST in import mode.
    """
    own = resource.get("id")
    urn = _UUID_URN.match(full_url if isinstance(full_url, str) else "")
    if urn and (prefer_urn or not isinstance(own, str)):
        return urn.group(1).lower()
    if isinstance(own, str) and _ID.match(own):
        return own
    body = {k: v for k, v in resource.items() if k not in {"id", "meta"}}
    return str(uuid.uuid5(_ID_NAMESPACE, orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode()))


# --- Bundles --------------------------------------------------------------------------


@dataclass
class _Unit:
    """A transaction or batch to run, and where each of its entries came from."""

    source: str
    bundle: dict[str, Any]
    origins: list[str]  # per entry: "entry 3" or "line 17"
    labels: list[str]  # per entry: "Type/id" when known
    synthetic: bool  # made by the importer: entry paths mean nothing to the user
    lost: str = "nothing of this bundle was stored"  # what a failed transaction means


def _import_bundle(run: _Run, source: str, bundle: dict[str, Any]) -> None:
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        run.fail(source, "", "", "Bundle.entry is not a list")
        return
    kept = [(i, _as_import(e)) for i, e in enumerate(entries) if _method(e) not in {"GET", "HEAD"}]
    if len(kept) < len(entries):
        run.summary.notes.append(
            f"{source}: left out {len(entries) - len(kept)} read-only (GET) entries"
        )
    unit = _Unit(
        source,
        {"resourceType": "Bundle", "type": bundle["type"], "entry": [e for _, e in kept]},
        [f"entry {i}" for i, _ in kept],
        [_entry_label(e) for _, e in kept],
        synthetic=False,
    )
    _run_unit(run, unit)


def _as_import(entry: Any) -> Any:
    """The entry as an import runs it: ids kept, and two common liberties of real files taken.

    Examples and exports write request.url absolute and ifNoneExist as "Type?query"; R4
    wants both relative to the base, which is what bundles.py reads.
    """
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict):
        return entry
    request = dict(request)
    url = request.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        split = urlsplit(url)
        found = _TYPE_PATH.search(split.path.rstrip("/"))
        request["url"] = (found.group(1) if found else url) + (
            f"?{split.query}" if split.query else ""
        )
    if isinstance(request.get("ifNoneExist"), str):
        request["ifNoneExist"] = _TYPE_QUERY.sub("", request["ifNoneExist"])
    resource = entry.get("resource")
    plain_post = _method(entry) == "POST" and not request.get("ifNoneExist")
    if (
        plain_post
        and isinstance(resource, dict)
        and resource.get("resourceType") == request.get("url")
    ):
        # A POST makes a new id each time; an import keeps one, so running it again finds
        # what it made: the same id rule as every other import, then PUT.
        fhir_id = _id_for(resource, entry.get("fullUrl"), prefer_urn=True)
        request = {"method": "PUT", "url": f"{resource['resourceType']}/{fhir_id}"}
        entry = {**entry, "resource": {**resource, "id": fhir_id}}
    return {**entry, "request": request}


def _import_collection(run: _Run, source: str, bundle: dict[str, Any]) -> None:
    origins: list[str] = []
    resources: list[tuple[dict[str, Any], str | None]] = []
    for index, entry in enumerate(bundle.get("entry") or []):
        # A searchset's outcome entries describe the search, not the record.
        if isinstance(entry, dict) and (entry.get("search") or {}).get("mode") == "outcome":
            continue
        resource = entry.get("resource") if isinstance(entry, dict) else None
        full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
        origins.append(f"entry {index}")
        resources.append((resource if isinstance(resource, dict) else {}, full_url))
    _run_unit(run, _put_unit(source, resources, origins))


def _put_unit(
    source: str, resources: list[tuple[dict[str, Any], str | None]], origins: list[str]
) -> _Unit:
    """A transaction of PUT-by-id entries; fullUrls are kept so entries can refer to each other.

    The same Type/id twice (a collection holding two versions): the later one wins, as if
    they had been PUT one after the other.
    """
    by_key: dict[str, tuple[dict[str, Any], str]] = {}
    for (resource, full_url), origin in zip(resources, origins, strict=True):
        rtype = resource.get("resourceType")
        rtype = rtype if isinstance(rtype, str) else "(no resourceType)"
        fhir_id = _id_for(resource, full_url)
        entry: dict[str, Any] = {
            "resource": {**resource, "id": fhir_id},
            "request": {"method": "PUT", "url": f"{rtype}/{fhir_id}"},
        }
        if isinstance(full_url, str):
            entry["fullUrl"] = full_url
        by_key.pop(f"{rtype}/{fhir_id}", None)
        by_key[f"{rtype}/{fhir_id}"] = (entry, origin)
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [e for e, _ in by_key.values()],
    }
    return _Unit(source, bundle, [o for _, o in by_key.values()], list(by_key), synthetic=True)


def _method(entry: Any) -> str:
    request = entry.get("request") if isinstance(entry, dict) else None
    return str(request.get("method", "")).upper() if isinstance(request, dict) else ""


def _entry_label(entry: Any) -> str:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
        return "/".join(str(p) for p in (resource["resourceType"], resource.get("id")) if p)
    request = entry.get("request") if isinstance(entry, dict) else None
    return str(request.get("url", "")) if isinstance(request, dict) else ""


def _run_unit(run: _Run, unit: _Unit) -> bool:
    """Run one transaction or batch; count what it did and name what failed."""
    if not unit.bundle["entry"]:
        return True
    started = timezone.now()
    try:
        with transaction.atomic():
            response = bundles.process(run.ctx, unit.bundle, import_mode=True)
    except FhirError as exc:
        index = _failed_index(exc)
        where, label = (unit.origins[index], unit.labels[index]) if index is not None else ("", "")
        problem = _problem(exc, index if unit.synthetic else None)
        run.fail(unit.source, where, label, f"{problem}; {unit.lost}")
        return False
    except DatabaseError as exc:
        run.fail(unit.source, "", "", f"database error: {exc}; {unit.lost}")
        return False
    ok = True
    for index, item in enumerate(response.get("entry") or []):
        ok = _count_entry(run, unit, index, item, started) and ok
    return ok


def _count_entry(
    run: _Run, unit: _Unit, index: int, item: dict[str, Any], started: datetime
) -> bool:
    answer = item.get("response") or {}
    code = str(answer.get("status", "")).split(" ", 1)[0]
    if not code.startswith(("1", "2", "3")):
        issues = (answer.get("outcome") or {}).get("issue") or [{}]
        problem = "; ".join(
            _issue_text(i.get("diagnostics", ""), (i.get("expression") or [""])[0]) for i in issues
        )
        run.fail(
            unit.source,
            unit.origins[index],
            unit.labels[index],
            f"{answer.get('status')}: {problem}",
        )
        return False
    rtype = str(item.get("fullUrl", unit.labels[index])).split("/", 1)[0]
    if code == "201":
        run.count(rtype, "created")
    elif code == "204":
        run.count(rtype, "deleted")
    else:
        # The response says 200 for both a new version and an unchanged resource; a
        # version written by this call is the one whose lastModified is after it began.
        modified = answer.get("lastModified")
        fresh = isinstance(modified, str) and datetime.fromisoformat(modified) >= started
        run.count(rtype, "updated" if fresh else "unchanged")
    return True


def _failed_index(exc: FhirError) -> int | None:
    for text in [i.expression for i in exc.issues] + [str(exc)]:
        found = _ENTRY_INDEX.search(text)
        if found:
            return int(found.group(1))
    return None


def _problem(exc: FhirError, synthetic_index: int | None = None) -> str:
    errors = [i for i in exc.issues if i.severity in {"error", "fatal"}] or exc.issues
    text = "; ".join(_issue_text(i.diagnostics, i.expression) for i in errors[:MAX_ISSUES])
    if len(errors) > MAX_ISSUES:
        text += f"; and {len(errors) - MAX_ISSUES} more"
    if synthetic_index is not None:
        # The bundle was the importer's own; its entry numbers mean nothing to the user.
        text = text.replace(f"Bundle.entry[{synthetic_index}].resource", "resource")
        text = text.replace(f"Bundle.entry[{synthetic_index}]: ", "")
    return text


def _issue_text(diagnostics: str, expression: str) -> str:
    return (
        f"{diagnostics} (at {expression})"
        if expression and expression not in diagnostics
        else diagnostics
    )


# --- NDJSON ---------------------------------------------------------------------------


def _import_ndjson(run: _Run, source: str, stream: IO[bytes]) -> None:
    """CHUNK lines per transaction; a chunk with a bad line is rejected whole, the rest go on."""
    chunk = _Chunk()
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            resource = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            chunk.reject(number, f"malformed JSON at column {exc.colno}: {exc.msg}")
            resource = None
        if resource is not None and not (
            isinstance(resource, dict) and isinstance(resource.get("resourceType"), str)
        ):
            chunk.reject(number, "not a FHIR resource (expected a JSON object with resourceType)")
        key = chunk.key(resource)
        if key in chunk.keys or chunk.lines >= CHUNK:
            # The same resource twice is written in order, as two versions: a new chunk.
            _flush(run, source, chunk)
            chunk = _Chunk()
        chunk.add(number, resource, key)
    _flush(run, source, chunk)


class _Chunk:
    def __init__(self) -> None:
        self.items: list[tuple[dict[str, Any], str | None]] = []
        self.origins: list[str] = []
        self.keys: set[tuple[str, str]] = set()
        self.lines = 0
        self.first = self.last = 0
        self.bad: tuple[int, str] | None = None

    def key(self, resource: Any) -> tuple[str, str] | None:
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            return None
        return (resource["resourceType"], _id_for(resource, None))

    def reject(self, number: int, problem: str) -> None:
        self.bad = self.bad or (number, problem)

    def add(self, number: int, resource: Any, key: tuple[str, str] | None) -> None:
        self.first = self.first or number
        self.last = number
        self.lines += 1
        if self.bad is not None or key is None:
            self.items = []  # rejected whole: keep nothing, only count its lines
            return
        self.items.append((resource, None))
        self.origins.append(f"line {number}")
        self.keys.add(key)


def _flush(run: _Run, source: str, chunk: _Chunk) -> None:
    if chunk.bad is not None:
        number, problem = chunk.bad
        lines = f"lines {chunk.first}-{chunk.last} not imported"
        run.fail(source, f"line {number}", "", f"{problem}; {lines}")
    elif chunk.items:
        unit = _put_unit(source, chunk.items, chunk.origins)
        unit.lost = f"lines {chunk.first}-{chunk.last} not imported"
        _run_unit(run, unit)
    run.tick(source)
