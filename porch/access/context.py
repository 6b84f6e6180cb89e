"""The access context: who is asking, for whom, and why.

Every call into the record repository takes one. It is built once per request (or task)
by porch.access.rules and never widened afterwards. The record store applies it in SQL
(porch.record.scoping) and writes the audit log from it (porch.audit.log).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class AccessContext:
    # Who acts, as written to the audit log, e.g. "Dr. Ada Cruz" or "api-token:lab-feed".
    actor: str
    # Why: "patient-access", "proxy-access", "treatment", "break-the-glass", "import", ...
    purpose: str
    # Patient compartments this context may read; None means every compartment.
    patient_ids: frozenset[str] | None
    # Whether resources outside every patient compartment (Practitioner, Organization,
    # Questionnaire, ...) may be read.
    may_read_shared: bool
    may_write: bool
    # Of patient_ids, those whose confidential items must stay hidden (a parent of a teen).
    confidential_hidden: frozenset[str] = frozenset()
    # Of patient_ids, those opened by break-the-glass (flagged in the audit log).
    break_glass: frozenset[str] = frozenset()
    user_id: int | None = None
    role: str = ""
    # The patient whose record is open, when one is.
    acting_for: str | None = None
    client_ip: str = ""
    user_agent: str = ""
    # Whether reads and writes are written to the audit log (not for the bulk import,
    # which records one event per run).
    audited: bool = True
    scopes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def system(
        cls, actor: str = "system", purpose: str = "operations", *, audited: bool = False
    ) -> AccessContext:
        """Everything: for operations (import, demo set-up) and trusted system clients."""
        return cls(
            actor, purpose, patient_ids=None, may_read_shared=True, may_write=True, audited=audited
        )

    @classmethod
    def for_patients(
        cls, actor: str, patient_ids: frozenset[str], *, purpose: str, may_write: bool = False
    ) -> AccessContext:
        return cls(
            actor, purpose, patient_ids=patient_ids, may_read_shared=True, may_write=may_write
        )

    @classmethod
    def nobody(cls, actor: str = "anonymous") -> AccessContext:
        """Sees nothing: the context of an unknown or unverified person."""
        return cls(actor, "none", patient_ids=frozenset(), may_read_shared=False, may_write=False)

    @property
    def sees_everything(self) -> bool:
        return self.patient_ids is None

    def with_request(self, *, client_ip: str, user_agent: str) -> AccessContext:
        return replace(self, client_ip=client_ip, user_agent=user_agent)
