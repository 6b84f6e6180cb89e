"""The printable summary of the record as a PDF, drawn by WeasyPrint from the same HTML
as the printable page (docs/user-guide.md, "Download my record").

WeasyPrint needs Debian's pango at run time. Where it cannot be loaded (`make demo` installs
no system packages), `available()` is False and the download page offers no PDF and says so,
pointing to the printable page's "Save as PDF", rather than failing.

The renderer loads nothing from the network: its URL fetcher serves Porch's own static
files and refuses every other address, so a PDF never makes a request to anyone.
"""

from __future__ import annotations

import importlib
import logging
import mimetypes
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

logger = logging.getLogger(__name__)
# WeasyPrint logs each step of each page at INFO: not worth a line per page in Porch's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The document's address while it is drawn: relative links resolve under it, and only
# static files under it are served (".invalid" is a name that never resolves, RFC 2606).
BASE_URL = "https://porch.invalid/"
# What a PDF may load from the static files: its stylesheets, images and fonts.
SERVED_TYPES = {"text/css", "image/svg+xml", "image/png", "image/jpeg", "font/woff2", "font/woff"}


def _weasyprint() -> ModuleType | None:
    """The WeasyPrint module, or None when it or its system libraries cannot be loaded."""
    try:
        return importlib.import_module("weasyprint")
    # ImportError: not installed; OSError: installed, but pango or its friends are missing.
    except (ImportError, OSError) as error:
        logger.warning("PDF downloads are off: WeasyPrint cannot be loaded (%s)", error)
        return None


def available() -> bool:
    return _weasyprint() is not None


def static_file(url: str) -> Path | None:
    """The file of Porch's static files `url` names (under BASE_URL), or None."""
    prefix = BASE_URL.rstrip("/") + "/" + settings.STATIC_URL.strip("/") + "/"
    if not url.startswith(prefix):
        return None
    name = unquote(urlsplit(url).path)[len(urlsplit(prefix).path) :]
    try:
        # Collected (fingerprinted) files first, as production serves them; else the apps'.
        collected = Path(staticfiles_storage.path(name))
        found = collected if collected.is_file() else finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None
    return Path(found) if isinstance(found, str | Path) and Path(found).is_file() else None


def _fetcher(weasyprint: ModuleType) -> Any:
    base = weasyprint.urls.URLFetcher

    class StaticOnly(base):  # type: ignore[misc, valid-type]
        """Serves Porch's own static files; refuses every other URL (no network)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = static_file(url)
            kind = mimetypes.guess_type(path.name)[0] if path else None
            # Only Porch's own static files, and only the kinds a document uses.
            if path is None or kind not in SERVED_TYPES:
                raise ValueError(f"not one of Porch's static files: {url[:200]}")
            return weasyprint.urls.URLFetcherResponse(
                url, path.read_bytes(), {"Content-Type": kind}
            )

    return StaticOnly(allowed_protocols=("https",), allow_redirects=False)


def render(html: str) -> bytes:
    """The PDF of an HTML document. Raises RuntimeError when not available()."""
    weasyprint = _weasyprint()
    if weasyprint is None:
        raise RuntimeError("PDF rendering is not available on this server")
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher(weasyprint))
    pdf: bytes = document.write_pdf()
    return pdf
