"""The `porch` command: Porch's own commands plus every Django management command.

`porch demo`, `porch serve`, `porch worker`, `porch import` and `porch api-token` are
management commands in Porch's apps; the hyphenated spellings are mapped here because
Python module names cannot hold a hyphen.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"api-token": "api_token"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "porch.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
