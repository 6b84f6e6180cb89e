#!/usr/bin/env python
"""Django's manage.py, for habit; `porch` is the same command."""

from porch.cli import main

if __name__ == "__main__":
    main()
