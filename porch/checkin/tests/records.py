"""Check-in test records: a visit-type Questionnaire using every item type, and booked
Appointments for the cast (porch.access.tests.records)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from porch.access.tests.records import create
from porch.checkin.models import VisitQuestionnaire

URL = "https://porch.example.org/Questionnaire/follow-up"
VISIT_TYPE = "follow-up"
SNOMED = "http://snomed.info/sct"


def questionnaire() -> dict[str, Any]:
    """Every item type; 'smoke-amount' is enabled by a yes to 'smoke', and 'details'
    (a nested group) by a pain score of 5 or more."""
    return {
        "resourceType": "Questionnaire",
        "url": URL,
        "version": "1",
        "status": "active",
        "title": "Follow-up visit",
        "item": [
            {"linkId": "intro", "type": "display", "text": "A few questions before your visit."},
            {
                "linkId": "reason",
                "type": "string",
                "text": "Main reason for the visit",
                "required": True,
            },
            {"linkId": "smoke", "type": "boolean", "text": "Do you smoke?", "required": True},
            {
                "linkId": "smoke-amount",
                "type": "integer",
                "text": "Cigarettes a day",
                "required": True,
                "enableWhen": [{"question": "smoke", "operator": "=", "answerBoolean": True}],
            },
            {"linkId": "pain", "type": "integer", "text": "Pain score (0 to 10)"},
            {
                "linkId": "details",
                "type": "group",
                "text": "About the pain",
                "enableWhen": [{"question": "pain", "operator": ">=", "answerInteger": 5}],
                "item": [
                    {
                        "linkId": "where",
                        "type": "choice",
                        "text": "Where is the pain?",
                        "required": True,
                        "answerOption": [
                            {
                                "valueCoding": {
                                    "system": SNOMED,
                                    "code": "22253000",
                                    "display": "Back",
                                }
                            },
                            {
                                "valueCoding": {
                                    "system": SNOMED,
                                    "code": "25064002",
                                    "display": "Head",
                                }
                            },
                        ],
                    },
                    {"linkId": "since", "type": "date", "text": "Since when?"},
                    {
                        "linkId": "inner",
                        "type": "group",
                        "text": "More",
                        "item": [
                            {"linkId": "temperature", "type": "decimal", "text": "Temperature"},
                            {
                                "linkId": "how",
                                "type": "choice",
                                "text": "How does it feel?",
                                "answerOption": [{"valueString": "Sharp"}, {"valueString": "Dull"}],
                            },
                        ],
                    },
                ],
            },
            {"linkId": "notes", "type": "text", "text": "Anything else?"},
        ],
    }


def stored_questionnaire() -> str:
    """The Questionnaire in the record store, mapped to the follow-up visit type."""
    fhir_id = create(questionnaire())
    VisitQuestionnaire.objects.create(visit_type=VISIT_TYPE, questionnaire=f"{URL}|1")
    return fhir_id


def appointment(
    patient_id: str,
    start: datetime | None = None,
    *,
    status: str = "booked",
    visit_type: str = VISIT_TYPE,
) -> str:
    start = start or timezone.now() + timedelta(days=1)
    return create(
        {
            "resourceType": "Appointment",
            "status": status,
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=20)).isoformat(),
            "serviceType": [
                {
                    "coding": [{"system": "urn:porch:visit-type", "code": visit_type}],
                    "text": "Follow-up",
                }
            ],
            "participant": [
                {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
                {
                    "actor": {"reference": "Practitioner/pr-cruz", "display": "Dr. Ada Cruz"},
                    "status": "accepted",
                },
            ],
        }
    )
