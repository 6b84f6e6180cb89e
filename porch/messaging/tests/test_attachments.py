"""Attachments: photos and PDFs, checked from their content, kept outside the web root
under generated names, recorded as DocumentReferences in the patient's compartment, and
served only to those who may read them, as downloads with nosniff."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from porch.access.tests.helpers import client_of
from porch.access.tests.records import Cast, system
from porch.messaging import attachments
from porch.messaging.models import Attachment, Conversation, Pool
from porch.messaging.tests.records import GPS_MARKER, jpeg_with_gps, latest, pdf, png, write
from porch.record import repository, search

pytestmark = pytest.mark.django_db


def _sent_with(client: Client, *files: SimpleUploadedFile) -> Conversation:
    response = write(client, attachments=list(files))
    assert response.status_code == 302, response.content.decode()
    return latest()


def test_a_pdf_is_kept_under_a_generated_name_and_recorded_as_a_document_reference(
    cast: Cast, pools: dict[str, Pool], attachment_dir: Path
) -> None:
    conversation = _sent_with(client_of(cast.ana), pdf("lab letter.pdf"))
    row = Attachment.objects.get()
    assert row.filename == "lab letter.pdf"
    assert row.content_type == "application/pdf"
    assert [p.name for p in attachment_dir.iterdir()] == [row.stored_name]
    assert "letter" not in row.stored_name and "." not in row.stored_name
    assert (attachment_dir / row.stored_name).read_bytes().startswith(b"%PDF-")

    document = repository.read(system(), "DocumentReference", row.document_id).content or {}
    assert document["subject"] == {"reference": "Patient/ana"}
    assert document["content"][0]["attachment"]["contentType"] == "application/pdf"
    assert document["content"][0]["attachment"]["url"].endswith(
        f"/messages/attachments/{row.document_id}/"
    )
    assert "data" not in document["content"][0]["attachment"]
    communication = repository.read(system(), "Communication", conversation.thread_id).content
    assert communication is not None
    assert communication["payload"][1] == {
        "contentReference": {
            "reference": f"DocumentReference/{row.document_id}",
            "display": "lab letter.pdf",
        }
    }


def test_ana_and_dr_cruz_download_it_as_an_attachment_with_nosniff(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    _sent_with(client_of(cast.ana), pdf("lab letter.pdf"))
    row = Attachment.objects.get()
    for who in (cast.ana, cast.cruz):
        response = client_of(who).get(f"/messages/attachments/{row.document_id}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith('attachment; filename="lab letter.pdf"')
        assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


def test_outsiders_get_not_found_for_the_file_as_for_a_missing_one(
    cast: Cast, pools: dict[str, Pool]
) -> None:
    _sent_with(client_of(cast.ana), pdf())
    row = Attachment.objects.get()
    for outsider in (cast.mallory, cast.diaz, cast.ben, cast.gil, cast.fran):
        client = client_of(outsider)
        assert client.get(f"/messages/attachments/{row.document_id}/").status_code == 404
        assert client.get("/messages/attachments/no-such-document/").status_code == 404
    assert Client().get(f"/messages/attachments/{row.document_id}/").status_code == 302


def test_a_photo_loses_its_gps_and_other_metadata(cast: Cast, pools: dict[str, Pool]) -> None:
    upload = jpeg_with_gps()
    original = upload.read()
    upload.seek(0)
    assert GPS_MARKER in original
    _sent_with(client_of(cast.ana), upload)
    row = Attachment.objects.get()
    kept = attachments.path_of(row.stored_name).read_bytes()
    assert GPS_MARKER not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "JPEG"
        assert 0x8825 not in image.getexif()
    assert row.content_type == "image/jpeg"


def test_a_png_is_accepted(cast: Cast, pools: dict[str, Pool]) -> None:
    _sent_with(client_of(cast.ana), png())
    assert Attachment.objects.get().content_type == "image/png"


def _zip(name: str = "records.zip") -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.pdf", b"%PDF-1.4")
    return SimpleUploadedFile(name, out.getvalue())


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("empty.pdf", b""), "“empty.pdf” is empty (0 bytes)."),
        (_zip(), "“records.zip” is a zip archive."),
        (_zip("sneaky.pdf"), "“sneaky.pdf” is a zip archive."),
        (
            SimpleUploadedFile("notes.txt", b"just words"),
            "“notes.txt” is not a photo (JPEG or PNG) or a PDF.",
        ),
        (
            SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo"),
            "The content of “photo.jpg” does not match its name: it is a PDF file.",
        ),
        (png("scan.pdf"), "The content of “scan.pdf” does not match its name: it is a PNG file."),
        (
            SimpleUploadedFile("fake.png", b"\x89PNG\r\n\x1a\n broken"),
            "“fake.png” is not a photo (JPEG or PNG) or a PDF.",
        ),
        (pdf("<script>alert(1)<.script>.pdf"), "contains characters Porch does not accept"),
        (pdf("report..pdf"), "contains characters Porch does not accept"),
    ],
)
def test_a_refused_file_is_named_and_nothing_is_written(
    cast: Cast,
    pools: dict[str, Pool],
    attachment_dir: Path,
    upload: SimpleUploadedFile,
    words: str,
) -> None:
    response = write(client_of(cast.ana), attachments=[pdf("fine.pdf"), upload])
    assert response.status_code == 400
    page = response.content.decode()
    assert words.replace("“", "&ldquo;").replace("”", "&rdquo;") in page or words in page
    assert "<script>alert(1)" not in page
    assert Conversation.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert not attachment_dir.exists() or list(attachment_dir.iterdir()) == []
    for resource_type in ("Communication", "DocumentReference"):
        assert search.search(system(), resource_type, [("_summary", "count")]).total == 0


def test_a_file_over_the_limit_is_refused_with_the_limit_named(
    cast: Cast, pools: dict[str, Pool], settings: object
) -> None:
    settings.MESSAGE_ATTACHMENT_MAX_BYTES = 1024  # type: ignore[attr-defined]
    response = write(client_of(cast.ana), attachments=[pdf("big.pdf", b"x" * 2000)])
    assert response.status_code == 400
    page = response.content.decode()
    assert "big.pdf" in page and "the limit is 1.0\xa0KB per file" in page
    assert Conversation.objects.count() == 0


def test_more_than_five_files_are_refused(cast: Cast, pools: dict[str, Pool]) -> None:
    response = write(client_of(cast.ana), attachments=[pdf(f"p{i}.pdf") for i in range(6)])
    assert response.status_code == 400
    assert "You attached 6 files; a message may carry 5 at most." in response.content.decode()


def test_path_parts_never_reach_the_stored_name(cast: Cast, pools: dict[str, Pool]) -> None:
    # Django's upload parser keeps only the last part of a path; what is left is checked.
    _sent_with(client_of(cast.ana), pdf("../../etc/passwd.pdf"))
    row = Attachment.objects.get()
    assert row.filename == "passwd.pdf"
    assert attachments.path_of(row.stored_name).parent == attachments.directory()


@pytest.mark.parametrize(
    "name",
    [
        "../x.pdf",
        "a/b.pdf",
        "a\\b.pdf",
        "bell\x07.pdf",
        "line\nbreak.pdf",
        '"quoted".pdf',
        ".hidden.pdf",
        "",
    ],
)
def test_names_with_path_parts_control_characters_or_markup_are_refused(name: str) -> None:
    with pytest.raises(attachments.AttachmentRefused):
        attachments.check_name(name)


def test_ordinary_names_are_kept() -> None:
    for name in ("Lab results 2024-03.pdf", "foto_brazo (1).jpg", "Año nuevo.png"):
        assert attachments.check_name(name) == name


def test_the_download_name_is_safe_in_the_header() -> None:
    header = attachments.content_disposition("Año nuevo.pdf")
    assert header == "attachment; filename=\"A_o nuevo.pdf\"; filename*=UTF-8''A%C3%B1o%20nuevo.pdf"
