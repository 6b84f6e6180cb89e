"""`porch import`: summary, exit codes, progress lines, and the command's real name."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from django.core.management import CommandError, call_command

from porch.tests import shared_data

pytestmark = pytest.mark.django_db

# `import` is a keyword, so the module is reached the way Django reaches it.
COMMAND = importlib.import_module("porch.clinic.management.commands.import")
EXAMPLES = shared_data.EXAMPLES


def run_import(*args: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def patient(tmp_path: Path, fhir_id: str) -> Path:
    path = tmp_path / f"{fhir_id}.json"
    path.write_bytes(orjson.dumps({"resourceType": "Patient", "id": fhir_id}))
    return path


def test_it_prints_counts_per_type_and_totals(tmp_path: Path) -> None:
    patient(tmp_path, "ana")
    (tmp_path / "notes.md").write_text("not FHIR")

    out, _ = run_import(tmp_path, "--no-progress")

    assert "Files: 1 ok, 0 failed, 1 skipped" in out
    assert f"skipped (not FHIR JSON or NDJSON): {tmp_path / 'notes.md'}" in out
    assert any(line.split() == ["Patient", "1", "0", "0"] for line in out.splitlines())
    assert "1 resources in" in out


def test_importing_again_reports_everything_unchanged(tmp_path: Path) -> None:
    patient(tmp_path, "ana")
    run_import(tmp_path, "--no-progress")

    out, _ = run_import(tmp_path, "--no-progress")

    assert any(line.split() == ["Patient", "0", "0", "1"] for line in out.splitlines())


def test_a_failed_file_is_named_and_the_exit_code_is_1(tmp_path: Path) -> None:
    for name in ["Questionnaire-qs1.json", "Patient-example.json"]:
        (tmp_path / name).write_bytes((EXAMPLES / name).read_bytes())
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import", str(tmp_path), "--no-progress", stdout=out, stderr=err)

    assert raised.value.returncode == 1
    assert f"FAILED {tmp_path / 'Questionnaire-qs1.json'}, Questionnaire/qs1: " in err.getvalue()
    assert "linkId" in err.getvalue()
    assert "Files: 1 ok, 1 failed" in out.getvalue()


def test_a_missing_path_is_a_usage_error_with_exit_code_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file or folder") as raised:
        run_import(patient(tmp_path, "ana"), tmp_path / "nope.json")

    assert raised.value.returncode == 2


def test_porch_import_is_the_commands_name_on_the_command_line(tmp_path: Path) -> None:
    # No database is touched: the missing path is refused first.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "porch.settings"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "porch.cli", "import", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert result.returncode == 2
    assert "No such file or folder" in result.stderr and "nope.json" in result.stderr


def test_without_a_terminal_progress_is_a_line_now_and_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(COMMAND, "LOG_INTERVAL", 0.01)
    lines = b"\n".join(orjson.dumps({"resourceType": "Patient", "id": f"p{i}"}) for i in range(300))
    (tmp_path / "patients.ndjson").write_bytes(lines)

    _, err = run_import(tmp_path)

    progress = [line for line in err.splitlines() if line.startswith("import: ")]
    assert progress, err
    assert "resources" in progress[-1] and "/s" in progress[-1] and "\r" not in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_progress_is_redrawn_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(COMMAND, "TTY_INTERVAL", 0.01)
    lines = b"\n".join(orjson.dumps({"resourceType": "Patient", "id": f"p{i}"}) for i in range(300))
    (tmp_path / "patients.ndjson").write_bytes(lines)
    err = Terminal()

    call_command("import", str(tmp_path), stdout=io.StringIO(), stderr=err)

    assert "\r\x1b[K" in err.getvalue() and err.getvalue().endswith("\n")
    assert "import: " not in err.getvalue()
