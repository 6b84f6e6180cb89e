# The two commands a new user needs: `make demo` and `make test`. Each builds its own
# virtual environment from the lock file the first time and reuses it afterwards.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
# Front-end packages (USWDS, htmx, Chart.js) come from npm with the committed lock file and
# are copied into porch/static/vendor/ (git-ignored) with the source maps they name (which
# collectstatic's manifest needs); redone only when the lock changes.
VENDOR := porch/static/vendor
ASSETS_STAMP := $(VENDOR)/.built-$(shell cat package-lock.json | cksum | cut -d' ' -f1)
# Every Spanish catalogue: the project-wide one and one per app.
MESSAGES := $(patsubst %.po,%.mo,$(wildcard porch/locale/*/LC_MESSAGES/django.po porch/*/locale/*/LC_MESSAGES/django.po))

.PHONY: install assets messages system-packages demo test lint typecheck lock clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

$(ASSETS_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/uswds/css $(VENDOR)/uswds/js
	cp node_modules/@uswds/uswds/dist/css/uswds.min.css* $(VENDOR)/uswds/css/
	cp node_modules/@uswds/uswds/dist/js/uswds.min.js* node_modules/@uswds/uswds/dist/js/uswds-init.min.js* $(VENDOR)/uswds/js/
	cp -r node_modules/@uswds/uswds/dist/img node_modules/@uswds/uswds/dist/fonts $(VENDOR)/uswds/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/chart.js/dist/chart.umd.min.js* $(VENDOR)/
	@touch $(ASSETS_STAMP)

assets: $(ASSETS_STAMP)

# The compiled catalogues are committed; each is rebuilt only when its .po is newer.
%.mo: %.po
	@if command -v msgfmt >/dev/null; then msgfmt --check-format --check-domain -o $@ $<; \
	else echo "msgfmt not found: using the committed $@"; touch $@; fi

messages: $(MESSAGES)

# The browser tests drive Debian's Chromium (Playwright's own download is not used);
# msgfmt (gettext) compiles the translations; WeasyPrint (the record as a PDF) loads pango.
# Installing them needs root, as on CI; elsewhere install the `chromium`, `gettext` and
# `libpangoft2-1.0-0` packages yourself.
system-packages:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	@/sbin/ldconfig -p | grep -q libpangoft2-1.0.so.0 || (apt-get update -qq && apt-get install -y -qq libpangoft2-1.0-0)

install: system-packages $(STAMP) assets messages

# The demo needs no browser, so it installs no system packages.
demo: $(STAMP) assets messages
	$(BIN)/porch demo

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy porch

# Regenerate the lock file after changing dependencies in pyproject.toml.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) var node_modules $(VENDOR)
