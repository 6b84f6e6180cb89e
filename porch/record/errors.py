"""Errors of the record store, each carrying the OperationOutcome the API answers with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutcomeIssue:
    code: str  # FHIR IssueType: invalid, structure, required, value, not-found, conflict, ...
    diagnostics: str
    expression: str = ""
    severity: str = "error"

    def as_fhir(self) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "diagnostics": self.diagnostics,
        }
        if self.expression:
            issue["expression"] = [self.expression]
        return issue


class FhirError(Exception):
    """A refusal that maps to an HTTP status and an OperationOutcome."""

    status = 400
    default_code = "invalid"

    def __init__(
        self, diagnostics: str, *, expression: str = "", issues: Sequence[OutcomeIssue] = ()
    ):
        super().__init__(diagnostics)
        self.issues: list[OutcomeIssue] = list(issues) or [
            OutcomeIssue(self.default_code, diagnostics, expression)
        ]

    def outcome(self) -> dict[str, Any]:
        return operation_outcome(self.issues)


class InvalidRequest(FhirError):
    status = 400


class InvalidResource(FhirError):
    """The resource failed FHIR R4 validation; issues name each path and problem."""

    status = 400


class NotFound(FhirError):
    """Answers both "does not exist" and "you may not see it", so neither leaks."""

    status = 404
    default_code = "not-found"


class Gone(FhirError):
    status = 410
    default_code = "deleted"


class Conflict(FhirError):
    status = 409
    default_code = "conflict"


class PreconditionFailed(FhirError):
    status = 412
    default_code = "conflict"


class Forbidden(FhirError):
    status = 403
    default_code = "forbidden"


class NotSupported(FhirError):
    status = 400
    default_code = "not-supported"


def operation_outcome(issues: Sequence[OutcomeIssue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [i.as_fhir() for i in issues]}
