"""Message attachments: checked from their content, kept under generated names.

Accepted: photos (JPEG, PNG) and PDFs, at most settings.MESSAGE_ATTACHMENT_MAX_BYTES.
The type comes from the bytes, never from the name: a PDF starts with `%PDF-`; a photo
must open and verify in Pillow, and is then re-encoded, which drops its metadata (GPS
position, camera, comments) and anything hidden after the image. The name must then agree
with what the content is. Names with path parts (`/`, `\\`, `..`), control characters or
markup are refused rather than cleaned, so the person sees which file and why.

Files are written to settings.MESSAGE_ATTACHMENT_DIR under a random name, outside the web
root; nothing serves that directory. `StoredFiles` removes what it wrote when the
message's transaction does not commit, so a refused or failed message leaves no file.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}
MAX_FILES = 5
MAX_NAME = 120
# Refused in names: path separators, markup and quote characters, and what a shell or
# a Content-Disposition header would read specially.
_UNSAFE_NAME = re.compile(r"[/\\<>\"'`:*?|;%&{}]")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


class AttachmentRefused(ValueError):
    """A file that may not be attached; the message names the file and the reason."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes


def check_name(name: str) -> str:
    """The file's name if it is safe to keep and show. Raises AttachmentRefused."""
    shown = name if len(name) <= MAX_NAME else name[:MAX_NAME] + "…"
    if not name.strip():
        raise AttachmentRefused(_("A file has no name. Give it a name and attach it again."))
    if len(name) > MAX_NAME:
        raise AttachmentRefused(
            _("The name of “%(name)s” is too long: %(limit)s characters at most.")
            % {"name": shown, "limit": MAX_NAME}
        )
    if any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in name):
        raise AttachmentRefused(
            _("The name of “%(name)s” contains control characters. Rename the file.")
            % {"name": shown.encode("unicode_escape").decode()}
        )
    if ".." in name or _UNSAFE_NAME.search(name) or name.strip() != name or name.startswith("."):
        raise AttachmentRefused(
            _(
                "The name of “%(name)s” contains characters Porch does not accept "
                "(such as / \\ .. < > or quotes). Rename the file with letters, numbers, "
                "spaces, dots, dashes or underscores."
            )
            % {"name": shown}
        )
    return name


def _content_type(name: str, head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(_ZIP_MAGIC):
        raise AttachmentRefused(
            _("“%(name)s” is a zip archive. Attach photos (JPEG, PNG) or PDF files one by one.")
            % {"name": name}
        )
    return ""


def _reencoded(name: str, data: bytes) -> tuple[str, bytes]:
    """(content type, image without metadata) of a JPEG or PNG. Raises AttachmentRefused."""
    not_accepted = _(
        "“%(name)s” is not a photo (JPEG or PNG) or a PDF. Only those can be attached."
    ) % {"name": name}
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in {"JPEG", "PNG"}:
            raise AttachmentRefused(not_accepted)
        with Image.open(io.BytesIO(data)) as image:
            # Apply the camera's rotation before the EXIF block that holds it is dropped.
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "JPEG":
                upright.convert("RGB").save(out, "JPEG", quality=90)
            else:
                upright.save(out, "PNG")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise AttachmentRefused(not_accepted) from error
    return (JPEG if kind == "JPEG" else PNG), out.getvalue()


def check_file(upload: UploadedFile[Any]) -> CheckedFile:
    """The upload, checked and cleaned. Raises AttachmentRefused naming the file."""
    name = check_name(str(upload.name or ""))
    size = upload.size or 0
    limit = settings.MESSAGE_ATTACHMENT_MAX_BYTES
    if size == 0:
        raise AttachmentRefused(_("“%(name)s” is empty (0 bytes).") % {"name": name})
    if size > limit:
        raise AttachmentRefused(
            _("“%(name)s” is %(size)s; the limit is %(limit)s per file.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    # The size the browser declared may differ from what arrives.
    if len(data) > limit or not data:
        raise AttachmentRefused(
            _("“%(name)s” is %(size)s; the limit is %(limit)s per file.")
            % {"name": name, "size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    content_type = _content_type(name, data[:8])
    if not content_type:
        content_type, data = _reencoded(name, data)
    if not name.lower().endswith(EXTENSIONS[content_type]):
        raise AttachmentRefused(
            _(
                "The content of “%(name)s” does not match its name: it is a %(kind)s file. "
                "Rename it to end in %(extension)s."
            )
            % {
                "name": name,
                "kind": {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}[content_type],
                "extension": EXTENSIONS[content_type][0],
            }
        )
    return CheckedFile(name, content_type, data)


def directory() -> Path:
    return Path(settings.MESSAGE_ATTACHMENT_DIR)


def path_of(stored_name: str) -> Path:
    """The file of a stored name; the name is always one `StoredFiles.write` generated."""
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ValueError("not a stored attachment name")
    return directory() / stored_name


class StoredFiles:
    """Writes files under generated names; on leaving with an error, removes them all.

    with StoredFiles() as files, transaction.atomic():
        name = files.write(data)
        ...  # record writes; an exception here removes the file too
    """

    def __init__(self) -> None:
        self.written: list[Path] = []

    def write(self, data: bytes) -> str:
        folder = directory()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stored_name = secrets.token_hex(16)
        path = folder / stored_name
        # "x": never overwrite; 0600: only Porch's own user reads it.
        with open(path, "xb") as out:
            self.written.append(path)
            out.write(data)
        path.chmod(0o600)
        return stored_name

    def __enter__(self) -> StoredFiles:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None:
            for path in self.written:
                path.unlink(missing_ok=True)


def content_disposition(filename: str) -> str:
    """An attachment header whose ASCII name is safe (the checked name, non-ASCII replaced)
    plus the exact name in RFC 5987 form."""
    from urllib.parse import quote

    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
