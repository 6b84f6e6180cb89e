"""Settings fail loudly on bad values and have no working secret outside development."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from porch.lib.env import env_bool, env_int, env_list, env_str


def test_env_bool_names_the_variable_on_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCH_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="PORCH_FLAG='maybe' is not a boolean"):
        env_bool("PORCH_FLAG", default=False)
    monkeypatch.setenv("PORCH_FLAG", "Yes")
    assert env_bool("PORCH_FLAG", default=False) is True


def test_env_int_refuses_non_numbers_and_values_below_the_minimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORCH_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="PORCH_N='ten' is not an integer"):
        env_int("PORCH_N", 1)
    monkeypatch.setenv("PORCH_N", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum of 1"):
        env_int("PORCH_N", 1, minimum=1)


def test_secrets_can_come_from_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    secret = os.path.join(tmp_path, "key")
    with open(secret, "w") as handle:
        handle.write("s3cret-from-file\n")
    monkeypatch.setenv("PORCH_KEY_FILE", secret)
    assert env_str("PORCH_KEY") == "s3cret-from-file"
    monkeypatch.setenv("PORCH_KEY_FILE", os.path.join(tmp_path, "missing"))
    with pytest.raises(ImproperlyConfigured, match="PORCH_KEY_FILE"):
        env_str("PORCH_KEY")


def test_env_list_drops_blank_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCH_HOSTS", "a.example, ,b.example,")
    assert env_list("PORCH_HOSTS", []) == ["a.example", "b.example"]


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "PORCH_ENV"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import porch.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORCH_ENV": "production", "ALLOWED_HOSTS": "porch.example"}, "SECRET_KEY"),
        ({"PORCH_ENV": "production", "SECRET_KEY": "x" * 40}, "ALLOWED_HOSTS"),
        (
            {"PORCH_ENV": "production", "SECRET_KEY": "x" * 40, "ALLOWED_HOSTS": "*"},
            "refused in production",
        ),
        ({"PORCH_ENV": "staging"}, "PORCH_ENV='staging'"),
        ({"DATABASE_URL": "mysql://root@127.0.0.1/porch"}, "SQLite or PostgreSQL"),
        ({"SECRET_KEY": "short"}, "at least 32 characters"),
    ],
)
def test_bad_settings_stop_the_process_with_a_clear_message(
    env: dict[str, str], message: str
) -> None:
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_load_with_a_key_and_hosts() -> None:
    result = _load_settings(
        PORCH_ENV="production", SECRET_KEY="k" * 40, ALLOWED_HOSTS="porch.example"
    )
    assert result.returncode == 0, result.stderr
