"""The importer: Synthea and the HL7 examples load, reimports change nothing, bad files are named."""

from __future__ import annotations

import bz2
import csv
import gzip
import shutil
import tracemalloc
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from porch.access.context import AccessContext
from porch.record import importer, repository
from porch.record.importer import ImportSummary, import_paths
from porch.record.models import Resource, ResourceVersion
from porch.tests import shared_data

pytestmark = pytest.mark.django_db

DATA = shared_data.SHARED_DATA
SYNTHEA = DATA / "synthea"
EXAMPLES = DATA / "fhir-r4-examples" / "clinical"
BATCH_FILES = [
    "0-hospitalInformation1625911868739.json.bz2",
    "0-practitionerInformation1625911868739.json.bz2",
]


# --- helpers --------------------------------------------------------------------------


def synthea_index() -> dict[str, dict[str, str]]:
    with (SYNTHEA / "INDEX.csv").open(newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def index_counts(rows: list[dict[str, str]]) -> Counter[str]:
    """Per-type sums of INDEX.csv's resource_types column ("Type:n;Type:n")."""
    total: Counter[str] = Counter()
    for row in rows:
        for part in row["resource_types"].split(";"):
            rtype, n = part.split(":")
            total[rtype] += int(n)
    return total


def smallest_patients(n: int) -> list[str]:
    patients = [r for r in synthea_index().values() if r["bundle_type"] == "transaction"]
    return [r["file"] for r in sorted(patients, key=lambda r: (int(r["entries"]), r["file"]))[:n]]


def copy_synthea(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "synthea"
    folder.mkdir()
    for name in [*names, "INDEX.csv"]:
        shutil.copy(SYNTHEA / name, folder / name)
    return folder


def counts_by_type() -> Counter[str]:
    counts: Counter[str] = Counter()
    for rtype in Resource.objects.values_list("resource_type", flat=True):
        counts[rtype] += 1
    return counts


def created(summary: ImportSummary) -> Counter[str]:
    return Counter({t: c["created"] for t, c in summary.counts.items() if c["created"]})


def write_json(path: Path, content: Any) -> Path:
    path.write_bytes(orjson.dumps(content))
    return path


def observation(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"obs-{n}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2024-01-01T10:00:00Z",
        "valueQuantity": {
            "value": 60 + n % 40,
            "unit": "/min",
            "system": "http://unitsofmeasure.org",
            "code": "/min",
        },
        **extra,
    }


def write_ndjson(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def transaction(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "transaction", "entry": list(entries)}


def post(uuid: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{uuid}",
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }


PATIENT_UUID = "6b0e1f0a-3c1d-4c55-9d5e-0e1b2a3c4d5e"


def patient_bundle(*, bad_entry: bool = False) -> dict[str, Any]:
    """Ana and three of her observations; entry 2 is invalid when `bad_entry`."""
    obs = [observation(i, subject={"reference": f"urn:uuid:{PATIENT_UUID}"}) for i in range(3)]
    for o in obs:
        del o["id"]
    if bad_entry:
        obs[1]["status"] = "not-a-status"
    entries = [post(PATIENT_UUID, {"resourceType": "Patient", "name": [{"family": "Ana"}]})]
    entries += [post(f"00000000-0000-4000-8000-00000000000{i}", o) for i, o in enumerate(obs)]
    return transaction(*entries)


# --- Synthea --------------------------------------------------------------------------


def test_synthea_batch_files_and_patients_import_with_the_counts_of_the_index(
    tmp_path: Path,
) -> None:
    patients = smallest_patients(3)
    folder = copy_synthea(tmp_path, [*BATCH_FILES, *patients])
    index = synthea_index()
    expected = index_counts([index[name] for name in [*BATCH_FILES, *patients]])

    summary = import_paths([folder])

    assert summary.failures == []
    assert created(summary) == expected
    assert counts_by_type() == expected
    assert summary.files_ok == 5 and summary.files_failed == 0
    assert [Path(s).name for s in summary.skipped] == ["INDEX.csv"]


# Committed and truncated afterwards rather than rolled back: a rolled-back import leaves
# 800,000 dead rows on PostgreSQL, and every later test's queries wade through them
# until autovacuum comes (it made a clinician's request take a second in CI).
@pytest.mark.django_db(transaction=True)
def test_the_whole_synthea_set_imports_with_the_counts_of_the_index(tmp_path: Path) -> None:
    # About 40 s on either database; the subset tests above say the same in seconds.
    index = synthea_index()
    folder = copy_synthea(tmp_path, sorted(index))

    summary = import_paths([folder])

    assert summary.failures == []
    assert counts_by_type() == created(summary) == index_counts(list(index.values()))
    # The largest patient points at one practitioner, organization and location that
    # the batch files lack: kept as logical references, and said so.
    [note] = [n for n in summary.notes if "ff4188f6" in n]
    assert "warning(s)" in note and "logical reference" in note


def test_the_index_counts_the_batch_bundles_resources() -> None:
    index = synthea_index()
    assert index_counts([index[BATCH_FILES[0]]]) == {"Organization": 194, "Location": 194}
    assert index_counts([index[BATCH_FILES[1]]]) == {"Practitioner": 195, "PractitionerRole": 195}


def test_batch_files_are_imported_before_the_patients_that_refer_to_them(tmp_path: Path) -> None:
    folder = copy_synthea(tmp_path, [*BATCH_FILES, *smallest_patients(1)])
    # Named so that a plain sort would put the patient first.
    for name in BATCH_FILES:
        (folder / name).rename(folder / name.replace("0-", "z-"))

    summary = import_paths([folder])

    assert summary.failures == []
    assert created(summary)["Patient"] == 1


def test_reimporting_the_same_files_creates_no_resources_and_no_versions(tmp_path: Path) -> None:
    folder = copy_synthea(tmp_path, [*BATCH_FILES, *smallest_patients(2)])
    first = import_paths([folder])
    resources, versions = Resource.objects.count(), ResourceVersion.objects.count()

    again = import_paths([folder])

    assert again.failures == []
    assert (Resource.objects.count(), ResourceVersion.objects.count()) == (resources, versions)
    assert again.total("unchanged") == again.total() == first.total("created") == resources
    assert again.total("created") == again.total("updated") == 0


# --- the HL7 examples -------------------------------------------------------------------


def test_every_valid_hl7_example_imports_and_the_invalid_ones_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)

    summary = import_paths([folder])

    failed = {Path(f.source).name: f for f in summary.failures}
    # qs1 lacks required linkIds (invalid by design); bundle-transaction is an API example
    # of conditional PUT/DELETE, If-Match and an operation, none of which a fresh store can run.
    assert sorted(failed) == ["Bundle-bundle-transaction.json", "Questionnaire-qs1.json"]
    assert "linkId" in failed["Questionnaire-qs1.json"].problem
    assert failed["Questionnaire-qs1.json"].resource == "Questionnaire/qs1"
    assert failed["Bundle-bundle-transaction.json"].where == "entry 3"
    assert summary.files_ok == len(list(EXAMPLES.iterdir())) - 2
    assert_single_resources_read_back_as_written(folder)


def assert_single_resources_read_back_as_written(folder: Path) -> None:
    """Every single-resource file whose Type/id no other file also writes reads back unchanged."""
    writers: Counter[str] = Counter()
    singles: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.iterdir()):
        content = orjson.loads(path.read_bytes())
        if content["resourceType"] == "Bundle" and content.get("type") in {
            "collection",
            "searchset",
            "transaction",
            "batch",
        }:
            for entry in content.get("entry") or []:
                resource = entry.get("resource") or {}
                writers[f"{resource.get('resourceType')}/{resource.get('id')}"] += 1
        else:
            key = f"{content['resourceType']}/{content.get('id')}"
            writers[key] += 1
            singles[key] = content
    ctx = AccessContext.system()
    checked = 0
    for key, original in singles.items():
        if writers[key] > 1 or key == "Questionnaire/qs1":
            continue
        rtype, fhir_id = key.split("/", 1)
        back = dict(repository.read(ctx, rtype, fhir_id).content or {})
        assert back.pop("meta")["versionId"] == "1"
        assert back == {k: v for k, v in original.items() if k != "meta"}, key
        checked += 1
    assert checked > 600


def test_collection_entries_refer_to_each_other_by_resolved_references(tmp_path: Path) -> None:
    path = shutil.copy(EXAMPLES / "Bundle-bundle-references.json", tmp_path)

    summary = import_paths([Path(path)])

    assert summary.failures == []
    obs = repository.read(AccessContext.system(), "Observation", "12").content or {}
    assert obs["subject"]["reference"] == "Patient/04121321-4af5-424c-a0e1-ed3aab1c349d"


def test_a_document_bundle_is_stored_whole_as_one_bundle(tmp_path: Path) -> None:
    path = Path(shutil.copy(EXAMPLES / "Bundle-father.json", tmp_path))

    summary = import_paths([path])

    assert created(summary) == {"Bundle": 1}
    original = orjson.loads(path.read_bytes())
    stored = repository.read(AccessContext.system(), "Bundle", original["id"]).content or {}
    assert stored["entry"] == original["entry"]


# --- unhappy paths ----------------------------------------------------------------------


def test_malformed_json_is_named_with_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "resourceType": "Patient",\n  "id": ,\n}\n')

    summary = import_paths([path])

    assert len(summary.failures) == 1
    failure = summary.failures[0]
    assert failure.source == str(path)
    assert "line 3, column 9" in failure.problem
    assert summary.files_failed == 1 and Resource.objects.count() == 0


def test_a_transaction_failing_half_way_stores_nothing_and_names_the_entry(tmp_path: Path) -> None:
    path = write_json(tmp_path / "ana.json", patient_bundle(bad_entry=True))
    good = write_json(tmp_path / "other.json", {"resourceType": "Patient", "id": "ok"})

    summary = import_paths([path, good])

    assert Resource.objects.count() == 1  # only the other file's patient
    [failure] = summary.failures
    assert (failure.source, failure.where) == (str(path), "entry 2")
    assert "Bundle.entry[2]" in failure.problem and "status" in failure.problem
    assert "nothing of this bundle was stored" in failure.problem
    assert summary.files_ok == 1 and summary.files_failed == 1


def test_an_unresolvable_urn_uuid_reference_rejects_the_bundle(tmp_path: Path) -> None:
    bundle = patient_bundle()
    bundle["entry"][3]["resource"]["subject"]["reference"] = (
        "urn:uuid:99999999-0000-4000-8000-000000000000"
    )
    path = write_json(tmp_path / "dangling.json", bundle)

    summary = import_paths([path])

    [failure] = summary.failures
    assert failure.where == "entry 3" and "urn:uuid:99999999" in failure.problem
    assert Resource.objects.count() == 0


def test_a_transaction_is_idempotent_and_keeps_its_urn_uuids_as_ids(tmp_path: Path) -> None:
    path = write_json(tmp_path / "ana.json", patient_bundle())

    first, again = import_paths([path]), import_paths([path])

    assert first.total("created") == 4 and again.total("unchanged") == 4
    obs = repository.read(
        AccessContext.system(), "Observation", "00000000-0000-4000-8000-000000000000"
    )
    assert (obs.content or {})["subject"]["reference"] == f"Patient/{PATIENT_UUID}"


def test_an_unmatched_conditional_reference_is_kept_by_identifier_and_noted(tmp_path: Path) -> None:
    bundle = patient_bundle()
    npi = "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|123"
    bundle["entry"][1]["resource"]["performer"] = [{"reference": npi}]
    path = write_json(tmp_path / "ana.json", bundle)

    summary = import_paths([path])

    assert summary.failures == [] and summary.total("created") == 4
    [note] = summary.notes
    assert note.startswith(f"{path}: 1 warning(s), the first: Bundle.entry[1]") and npi in note
    obs = repository.read(
        AccessContext.system(), "Observation", "00000000-0000-4000-8000-000000000000"
    )
    assert (obs.content or {})["performer"][0]["identifier"]["value"] == "123"


def test_a_batch_keeps_its_good_entries_and_names_the_bad_one(tmp_path: Path) -> None:
    bad = observation(1, status="not-a-status")
    entries = [
        {"resource": o, "request": {"method": "PUT", "url": f"Observation/{o['id']}"}}
        for o in [observation(0), bad]
    ]
    path = write_json(
        tmp_path / "batch.json", {"resourceType": "Bundle", "type": "batch", "entry": entries}
    )

    summary = import_paths([path])

    assert created(summary) == {"Observation": 1}
    [failure] = summary.failures
    assert (failure.where, failure.resource) == ("entry 1", "Observation/obs-1")
    assert failure.problem.startswith("400")


def test_ndjson_with_a_bad_line_rejects_that_chunk_and_imports_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK", 10)
    lines = [orjson.dumps(observation(i)) for i in range(30)]
    lines[14] = b'{"resourceType": "Observation", "id": "obs-14",'
    path = write_ndjson(tmp_path / "obs.ndjson", lines)

    summary = import_paths([path])

    [failure] = summary.failures
    assert (failure.source, failure.where) == (str(path), "line 15")
    assert "malformed JSON" in failure.problem and "lines 11-20 not imported" in failure.problem
    assert created(summary) == {"Observation": 20}
    assert not Resource.objects.filter(fhir_id="obs-10").exists()


def test_ndjson_with_an_invalid_resource_names_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK", 10)
    lines = [orjson.dumps(observation(i)) for i in range(12)]
    lines[3] = orjson.dumps(observation(3, status="not-a-status"))
    path = write_ndjson(tmp_path / "obs.ndjson", lines)

    summary = import_paths([path])

    [failure] = summary.failures
    assert (failure.where, failure.resource) == ("line 4", "Observation/obs-3")
    assert "Bundle.entry" not in failure.problem and "lines 1-10 not imported" in failure.problem
    assert created(summary) == {"Observation": 2}


def test_an_ndjson_warning_names_the_line(tmp_path: Path) -> None:
    npi = "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|123"
    lines = [
        orjson.dumps(observation(0)),
        orjson.dumps(observation(1, performer=[{"reference": npi}])),
    ]
    path = write_ndjson(tmp_path / "obs.ndjson", lines)

    [note] = import_paths([path]).notes

    assert note.startswith(f"{path}: 1 warning(s), the first: line 2: resource: ")
    assert "Bundle.entry" not in note


def test_ndjson_lines_without_ids_get_the_same_id_on_every_import(tmp_path: Path) -> None:
    resource = observation(1)
    del resource["id"]
    path = write_ndjson(tmp_path / "obs.ndjson", [orjson.dumps(resource)])

    first, again = import_paths([path]), import_paths([path])

    assert first.total("created") == 1 and again.total("unchanged") == 1
    assert Resource.objects.count() == 1


def test_the_same_resource_twice_in_ndjson_becomes_two_versions(tmp_path: Path) -> None:
    path = write_ndjson(
        tmp_path / "obs.ndjson",
        [orjson.dumps(observation(1)), orjson.dumps(observation(1, status="amended"))],
    )

    summary = import_paths([path])

    assert summary.counts["Observation"] == Counter({"created": 1, "updated": 1})
    assert Resource.objects.get().version_id == 2


def test_compressed_files_and_zip_members_are_imported(tmp_path: Path) -> None:
    ndjson = b"\n".join(orjson.dumps(observation(i)) for i in range(3))
    (tmp_path / "obs.ndjson.gz").write_bytes(gzip.compress(ndjson))
    (tmp_path / "patient.json.bz2").write_bytes(
        bz2.compress(orjson.dumps({"resourceType": "Patient", "id": "p1"}))
    )
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.writestr(
            "export/Practitioner.ndjson", orjson.dumps({"resourceType": "Practitioner", "id": "dr"})
        )
        archive.writestr(
            "export/Organization.json.gz",
            gzip.compress(orjson.dumps({"resourceType": "Organization", "id": "o"})),
        )
        archive.writestr("__MACOSX/export/._Practitioner.ndjson", b"\x00\x05junk")
        archive.writestr("export/.DS_Store", b"\x00junk")
        archive.writestr("export/README.txt", b"not FHIR")

    summary = import_paths([tmp_path])

    assert summary.failures == []
    assert created(summary) == {
        "Observation": 3,
        "Patient": 1,
        "Practitioner": 1,
        "Organization": 1,
    }
    assert summary.skipped == [f"{tmp_path / 'export.zip'}!export/README.txt"]


def test_a_zip_member_with_dot_dot_is_refused_and_the_others_imported(tmp_path: Path) -> None:
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../evil.json", orjson.dumps({"resourceType": "Patient", "id": "evil"}))
        archive.writestr("/abs.json", orjson.dumps({"resourceType": "Patient", "id": "abs"}))
        archive.writestr("good.json", orjson.dumps({"resourceType": "Patient", "id": "good"}))

    summary = import_paths([path])

    assert sorted(f.source for f in summary.failures) == [
        f"{path}!../../evil.json",
        f"{path}!/abs.json",
    ]
    assert all("refused" in f.problem for f in summary.failures)
    assert list(Resource.objects.values_list("fhir_id", flat=True)) == ["good"]


def test_a_missing_path_is_refused_before_anything_is_imported(tmp_path: Path) -> None:
    good = write_json(tmp_path / "p.json", {"resourceType": "Patient", "id": "p"})

    with pytest.raises(FileNotFoundError, match=r"nope\.json"):
        import_paths([good, tmp_path / "nope.json"])
    assert Resource.objects.count() == 0


def test_an_empty_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "empty.ndjson").write_bytes(b"")

    summary = import_paths([tmp_path])

    [failure] = summary.failures
    assert failure.source == str(tmp_path / "empty.json") and "empty" in failure.problem
    # An empty NDJSON file is an export of nothing: fine.
    assert summary.files_ok == 1


def test_a_byte_order_mark_is_no_problem(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    (tmp_path / "p.json").write_bytes(bom + orjson.dumps({"resourceType": "Patient", "id": "p"}))
    (tmp_path / "o.ndjson").write_bytes(bom + orjson.dumps(observation(1)))

    summary = import_paths([tmp_path])

    assert summary.failures == [] and summary.total("created") == 2


def test_json_that_is_not_a_resource_is_named(tmp_path: Path) -> None:
    path = write_json(tmp_path / "list.json", [1, 2])

    [failure] = import_paths([path]).failures

    assert "not a FHIR resource" in failure.problem


def test_folders_are_walked_recursively_in_order_skipping_dotfiles(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    write_json(
        tmp_path / "b" / "c" / "2.json", {"resourceType": "Patient", "id": "p", "gender": "female"}
    )
    write_json(tmp_path / "a.json", {"resourceType": "Patient", "id": "p", "gender": "male"})
    write_json(tmp_path / ".git" / "x.json", {"resourceType": "Patient", "id": "hidden"})
    seen: list[str] = []

    summary = import_paths([tmp_path], progress=lambda p: seen.append(p.current))

    assert summary.files_ok == 2 and Resource.objects.count() == 1
    content = repository.read(AccessContext.system(), "Patient", "p").content or {}
    assert content["gender"] == "female"  # a.json first, then b/c/2.json
    assert [Path(s).name for s in seen if s] == ["a.json", "2.json"]


# --- memory ---------------------------------------------------------------------------


def test_ndjson_memory_is_bounded_by_the_chunk_not_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small chunk keeps the test quick; the figure for CHUNK=500 and 20,000 lines is in
    # docs/import.md. Fat lines make the file large for few database writes.
    monkeypatch.setattr(importer, "CHUNK", 50)
    note = [{"text": "x" * 3000}]
    path = tmp_path / "big.ndjson"
    with path.open("wb") as f:
        for i in range(2000):
            f.write(orjson.dumps(observation(i, note=note)) + b"\n")
    import_paths(
        [write_ndjson(tmp_path / "warm.ndjson", [orjson.dumps(observation(0, note=note))])]
    )
    size = path.stat().st_size

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        summary = import_paths([path])
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()

    assert summary.failures == [] and summary.total() == 2000
    assert peak < size / 3, f"peak {peak} bytes for a {size}-byte file"


def test_progress_reports_resources_and_bytes(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "obs.ndjson", [orjson.dumps(observation(i)) for i in range(3)])
    reports: list[importer.Progress] = []

    import_paths([path], progress=reports.append)

    last = reports[-1]
    assert last.resources == 3 and last.bytes_done == last.bytes_total == path.stat().st_size
    assert last.seconds_left == 0


def test_the_summary_reads_as_a_table(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "obs.ndjson", [orjson.dumps(observation(i)) for i in range(3)])

    lines = import_paths([path]).lines()

    assert lines[0] == "Files: 1 ok, 0 failed, 0 skipped"
    assert any(line.split() == ["Observation", "3", "0", "0"] for line in lines)


@pytest.mark.django_db
def test_an_import_that_writes_records_one_audit_event(tmp_path: Path) -> None:
    from porch.audit.models import Action, AuditEvent

    source = tmp_path / "patient.json"
    source.write_text('{"resourceType": "Patient", "id": "imported-ana"}')
    import_paths([source])
    import_paths([source])  # nothing new: no second event
    events = AuditEvent.objects.filter(action=Action.IMPORT)
    assert [(e.actor, e.patient_id) for e in events] == [("system:import", "")]
