"""Clinical notes (DocumentReference attachments) made safe to show.

- text/plain: decoded and shown as preformatted text (escaped by the template);
- text/html: cleaned by nh3 (ammonia: an allow-list of tags and attributes, no scripts,
  styles or event handlers) before it is marked safe;
- application/pdf: offered as a download served with Content-Disposition: attachment
  and X-Content-Type-Options: nosniff;
- anything else, or an attachment held elsewhere (url only): named, not shown.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe

TEXT, HTML, PDF, OTHER = "text", "html", "pdf", "other"
# A note larger than this is offered as a download rather than shown in the page.
MAX_INLINE_BYTES = 2_000_000


def attachments(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c["attachment"]
        for c in content.get("content") or []
        if isinstance(c, dict) and isinstance(c.get("attachment"), dict)
    ]


def decoded(attachment: dict[str, Any]) -> bytes | None:
    """The attachment's inline data, or None when it has none or it is not base64."""
    data = attachment.get("data")
    if not isinstance(data, str):
        return None
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return None


def kind_of(attachment: dict[str, Any]) -> str:
    content_type = str(attachment.get("contentType") or "").split(";")[0].strip().lower()
    return {"text/plain": TEXT, "text/html": HTML, "application/pdf": PDF}.get(content_type, OTHER)


def clean_html(raw: str) -> SafeString:
    # nh3.clean keeps an allow-list of tags and attributes and drops the rest (scripts,
    # styles, event handlers, javascript: URLs): what is left is safe to mark safe.
    return mark_safe(nh3.clean(raw))  # noqa: S308


def parts(content: dict[str, Any]) -> list[dict[str, Any]]:
    """Each attachment of a DocumentReference as {index, kind, title, text|html}."""
    found = []
    for index, attachment in enumerate(attachments(content)):
        kind = kind_of(attachment)
        data = decoded(attachment)
        part: dict[str, Any] = {
            "index": index,
            "kind": kind,
            "title": str(attachment.get("title") or ""),
            "available": data is not None,
        }
        if data is not None and len(data) <= MAX_INLINE_BYTES and kind in (TEXT, HTML):
            text = data.decode("utf-8", errors="replace")
            if kind == TEXT:
                part["text"] = text
            else:
                part["html"] = clean_html(text)
        elif kind in (TEXT, HTML) and data is not None:
            part["kind"] = OTHER
        found.append(part)
    return found
