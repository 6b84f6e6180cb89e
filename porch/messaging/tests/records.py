"""The messaging test data: the access cast (porch.access.tests.records) plus two pools.

- "Nurses" (slug nurses): Dr. Cruz is a member; open around the clock.
- "Front desk" (slug front-desk): Fran is a member; open around the clock.
- `closed_pool()` makes "Night shift", never open, for the automatic reply.

Files: `pdf()`, `png()`, `jpeg_with_gps()` are small real files.
"""

from __future__ import annotations

import io
from datetime import time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from porch.access.tests.records import Cast
from porch.messaging.models import Conversation, Pool

ALL_DAY = {
    "office_days": "0,1,2,3,4,5,6",
    "opens_at": time(0),
    "closes_at": time(23, 59, 59, 999999),
}


def build_pools(cast: Cast) -> dict[str, Pool]:
    nurses = Pool.objects.create(name="Nurses", slug="nurses", **ALL_DAY)
    nurses.members.add(cast.cruz)
    desk = Pool.objects.create(name="Front desk", slug="front-desk", **ALL_DAY)
    desk.members.add(cast.fran)
    return {"nurses": nurses, "front-desk": desk}


def closed_pool(**extra: Any) -> Pool:
    return Pool.objects.create(
        name="Night shift", slug="night", office_days="", auto_reply=extra.pop("auto_reply", "")
    )


def pdf(name: str = "letter.pdf", body: bytes = b"") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + body
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "rash.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


GPS_MARKER = b"Porch test GPS 40.7128N"


def jpeg_with_gps(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A JPEG whose EXIF holds a GPS block and a marker string that must not survive."""
    image = Image.new("RGB", (16, 16), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010E] = GPS_MARKER.decode()  # ImageDescription
    exif[0x8825] = {1: "N", 2: (40.0, 42.0, 46.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def write(client: Client, **fields: Any) -> Any:
    """Posts the new-message form; defaults: medical question to Dr. Cruz."""
    data = {
        "topic": "medical",
        "recipient": "clinician:pr-cruz",
        "subject": "Rash on my arm",
        "body": "It started on Monday.",
        **fields,
    }
    return client.post("/messages/new/", data)


def latest() -> Conversation:
    found = Conversation.objects.order_by("-pk").first()
    assert found is not None
    return found
