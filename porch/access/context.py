"""The access context: who is asking, for whom, and why.

Every call into the record repository takes one. It is built once per request (or task)
and never widened afterwards. This issue provides the system context (import, demo, API
clients with a system token); the identity issue adds patients, proxies and clinicians by
narrowing `patient_ids` and `resource_types`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccessContext:
    # Who acts, as written to the audit log, e.g. "system:import" or "api-token:lab-feed".
    actor: str
    # Why, e.g. "treatment", "import", "patient-access".
    purpose: str
    # Patient compartments this context may read; None means every compartment.
    patient_ids: frozenset[str] | None
    # Whether resources outside every patient compartment (Practitioner, Organization,
    # Questionnaire, ...) may be read.
    may_read_shared: bool
    may_write: bool

    @classmethod
    def system(cls, actor: str = "system", purpose: str = "operations") -> AccessContext:
        return cls(actor, purpose, patient_ids=None, may_read_shared=True, may_write=True)

    @classmethod
    def for_patients(
        cls, actor: str, patient_ids: frozenset[str], *, purpose: str, may_write: bool = False
    ) -> AccessContext:
        return cls(
            actor, purpose, patient_ids=patient_ids, may_read_shared=True, may_write=may_write
        )

    @property
    def sees_everything(self) -> bool:
        return self.patient_ids is None
