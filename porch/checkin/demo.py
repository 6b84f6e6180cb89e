"""The demo's check-in questionnaire: a shared Questionnaire in the record store, mapped to
a visit type. Idempotent: running the demo again finds what it made."""

from __future__ import annotations

from typing import Any

from porch.access.context import AccessContext
from porch.checkin.models import VisitQuestionnaire
from porch.record import repository

URL = "https://porch.health/fhir/Questionnaire/before-your-visit"
VERSION = "1"


def questionnaire() -> dict[str, Any]:
    """A short pre-visit questionnaire; 'How many cigarettes a day?' appears after a yes."""
    return {
        "resourceType": "Questionnaire",
        "url": URL,
        "version": VERSION,
        "name": "BeforeYourVisit",
        "title": "Before your visit",
        "status": "active",
        "subjectType": ["Patient"],
        "item": [
            {"linkId": "intro", "type": "display", "text": "A few questions for your clinician."},
            {
                "linkId": "reason",
                "type": "string",
                "text": "What would you like to talk about?",
                "required": True,
            },
            {"linkId": "smoke", "type": "boolean", "text": "Do you smoke?", "required": True},
            {
                "linkId": "smoke-amount",
                "type": "integer",
                "text": "How many cigarettes a day?",
                "required": True,
                "enableWhen": [{"question": "smoke", "operator": "=", "answerBoolean": True}],
            },
            {
                "linkId": "feeling",
                "type": "choice",
                "text": "How have you been feeling?",
                "answerOption": [
                    {"valueString": "Better"},
                    {"valueString": "The same"},
                    {"valueString": "Worse"},
                ],
            },
            {
                "linkId": "worse-since",
                "type": "date",
                "text": "Since when?",
                "enableWhen": [{"question": "feeling", "operator": "=", "answerString": "Worse"}],
            },
            {"linkId": "other", "type": "text", "text": "Anything else we should know?"},
        ],
    }


def ensure_questionnaire(visit_type: str) -> str:
    """Store the demo Questionnaire (once) and ask it at check-in for `visit_type` (the
    code in the Appointment's serviceType). Returns the Questionnaire's id."""
    ctx = AccessContext.system(actor="system:demo", purpose="demo")
    stored = repository.create(
        ctx, questionnaire(), if_none_exist=f"url={URL}&version={VERSION}"
    ).stored
    VisitQuestionnaire.objects.update_or_create(
        visit_type=visit_type, defaults={"questionnaire": f"{URL}|{VERSION}"}
    )
    return stored.id
