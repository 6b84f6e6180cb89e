"""The demo clinic's messaging: two pools and one conversation with an attachment.

Called by porch.demo.users.ensure once the demo accounts exist. Idempotent: pools are
found by slug, and the sample conversation is written only when the adult patient has
none.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

from django.utils import timezone

from porch.access.context import AccessContext
from porch.accounts.models import Role, User
from porch.messaging import actions, queries
from porch.messaging.attachments import PDF, CheckedFile
from porch.messaging.models import Conversation, Pool

POOLS = (
    ("nurses", "Nurses", "For medication refills, you can also call the pharmacy line."),
    ("front-desk", "Front desk", ""),
)


def sample_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF with a few lines of text."""
    text = (
        "BT /F1 14 Tf 72 740 Td 18 TL "
        + " ".join(
            f"({line.replace('(', '[').replace(')', ']')}) '" for line in [title, "", *lines]
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def ensure_pools(clinicians: list[User], front_desk: list[User]) -> dict[str, Pool]:
    pools = {}
    for slug, name, auto_reply in POOLS:
        pool, _created = Pool.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "auto_reply": auto_reply,
                "office_days": "0,1,2,3,4",
                "opens_at": time(8, 0),
                "closes_at": time(17, 0),
            },
        )
        pool.members.add(*(clinicians if slug == "nurses" else front_desk))
        pools[slug] = pool
    return pools


def ensure_conversation(
    patient: User, patient_id: str, clinician: User, practitioner_id: str
) -> None:
    """The adult patient asks their clinician about a blood-pressure log (a PDF); the
    clinician answers. Written once."""
    if Conversation.objects.filter(patient_id=patient_id).exists():
        return
    started = timezone.now() - timedelta(days=1)
    patient_ctx = replace(
        AccessContext.for_patients(
            patient.get_full_name(),
            frozenset({patient_id}),
            purpose="patient-access",
            may_write=True,
        ),
        user_id=patient.pk,
        role=Role.PATIENT.value,
        acting_for=patient_id,
    )
    log = sample_pdf(
        "Home blood pressure log",
        ["Mon 128/82", "Tue 131/85", "Wed 126/80", "Thu 135/88", "Fri 129/83"],
    )
    conversation = actions.do_start_conversation(
        patient_ctx,
        actions.patient_author(patient_ctx, patient, patient_id),
        patient_id,
        queries.Recipient(
            f"clinician:{practitioner_id}",
            clinician.get_full_name(),
            practitioner_id=practitioner_id,
        ),
        "medical",
        "My blood pressure readings",
        "Hello, I have been measuring my blood pressure at home as we discussed. "
        "My readings for last week are attached. Should I change anything?",
        [CheckedFile("blood-pressure-log.pdf", PDF, log)],
        confidential=False,
        now=started,
    )
    clinician_ctx = replace(
        patient_ctx,
        actor=clinician.get_full_name(),
        purpose="messaging",
        user_id=clinician.pk,
        role=Role.CLINICIAN.value,
    )
    author = actions.Author(
        clinician,
        Role.CLINICIAN.value,
        {"reference": f"Practitioner/{practitioner_id}", "display": clinician.get_full_name()},
    )
    actions.do_mark_read(conversation, clinician, care_team=True)
    actions.do_reply(
        clinician_ctx,
        author,
        conversation,
        "Thank you, these readings look good. Keep taking your medicine as before and "
        "send me another week of readings next month.",
        [],
        now=started + timedelta(hours=2),
    )
