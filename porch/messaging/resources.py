"""The FHIR R4 resources of a message: a Communication, and a DocumentReference per
attachment, all in the patient's compartment.

- The first message of a conversation: Communication with subject = the Patient,
  category = the topic (Porch's CodeSystem TOPIC_SYSTEM), topic.text = the subject line,
  sender (Patient, RelatedPerson of a proxy, Practitioner, or a display-only name),
  recipient (the Practitioner, or the pool as an identifier in POOL_SYSTEM), payload
  (contentString, then a contentReference per attachment), sent.
- A reply: the same, with partOf = the first Communication and inResponseTo = the message
  it answers.
- A teen's private conversation: meta.security v3-Confidentiality R on every resource of
  it, which porch.record.scoping hides from proxies who may not see confidential items.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

TOPIC_SYSTEM = "https://porch.health/fhir/CodeSystem/message-topic"
POOL_SYSTEM = "https://porch.health/fhir/NamingSystem/message-pool"
ATTACHMENT_TYPE_SYSTEM = "https://porch.health/fhir/CodeSystem/document-type"
RESTRICTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
    "code": "R",
    "display": "restricted",
}


@dataclass(frozen=True)
class Draft:
    """One message as it goes into the record."""

    patient_id: str
    sender: dict[str, Any]
    recipients: list[dict[str, Any]]
    body: str
    sent: datetime
    confidential: bool
    topic_code: str = ""
    topic_display: str = ""
    subject: str = ""
    thread_id: str = ""  # a reply's first Communication
    in_response_to: str = ""


def _meta(confidential: bool) -> dict[str, Any]:
    return {"meta": {"security": [RESTRICTED]}} if confidential else {}


def communication(draft: Draft, attachments: list[tuple[str, str]]) -> dict[str, Any]:
    """The Communication of `draft`; `attachments` are (DocumentReference id, file name)."""
    payload: list[dict[str, Any]] = [{"contentString": draft.body}]
    payload += [
        {"contentReference": {"reference": f"DocumentReference/{doc_id}", "display": name}}
        for doc_id, name in attachments
    ]
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        **_meta(draft.confidential),
        "status": "completed",
        "subject": {"reference": f"Patient/{draft.patient_id}"},
        "sender": draft.sender,
        "recipient": draft.recipients,
        "sent": draft.sent.isoformat(),
        "payload": payload,
    }
    if draft.topic_code:
        resource["category"] = [
            {
                "coding": [
                    {
                        "system": TOPIC_SYSTEM,
                        "code": draft.topic_code,
                        "display": draft.topic_display,
                    }
                ]
            }
        ]
    if draft.subject:
        resource["topic"] = {"text": draft.subject}
    if draft.thread_id:
        resource["partOf"] = [{"reference": f"Communication/{draft.thread_id}"}]
    if draft.in_response_to:
        resource["inResponseTo"] = [{"reference": f"Communication/{draft.in_response_to}"}]
    return resource


def download_url(document_id: str) -> str:
    return settings.SITE_URL + reverse("messaging:attachment", args=[document_id])


def document_reference(
    document_id: str,
    draft: Draft,
    communication_id: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> dict[str, Any]:
    """An attachment: the file itself stays outside the record, at its download URL."""
    return {
        "resourceType": "DocumentReference",
        **_meta(draft.confidential),
        "status": "current",
        "type": {
            "coding": [
                {
                    "system": ATTACHMENT_TYPE_SYSTEM,
                    "code": "message-attachment",
                    "display": "Message attachment",
                }
            ]
        },
        "subject": {"reference": f"Patient/{draft.patient_id}"},
        "date": draft.sent.isoformat(),
        "author": [draft.sender],
        "description": filename,
        "content": [
            {
                "attachment": {
                    "contentType": content_type,
                    "size": len(data),
                    # Attachment.hash is the base64 of the SHA-1 (R4).
                    "hash": base64.b64encode(hashlib.sha1(data).digest()).decode(),  # noqa: S324
                    "title": filename,
                    "url": download_url(document_id),
                    "creation": draft.sent.isoformat(),
                }
            }
        ],
        "context": {"related": [{"reference": f"Communication/{communication_id}"}]},
    }


def subject_of(content: dict[str, Any]) -> str:
    return str((content.get("topic") or {}).get("text") or "")


def body_of(content: dict[str, Any]) -> str:
    for part in content.get("payload") or []:
        if isinstance(part, dict) and isinstance(part.get("contentString"), str):
            return str(part["contentString"])
    return ""
