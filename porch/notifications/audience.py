"""Who hears about a new item in a patient's record: the same rules that open the record.

The patient's own account(s), and proxies whose grant is active now and, by the age rules
of porch.access.rules.grant_access, lets them read the item: a parent of a 12-17-year-old
does not see the teen's confidential items, so hears nothing about them.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from porch.access.models import ProxyGrant
from porch.access.rules import PatientDirectory, grant_access
from porch.accounts.models import PatientLink


def record_audience(patient_id: str, *, confidential: bool, now: datetime) -> list[int]:
    """Active accounts that may read a new item in `patient_id`'s record, own account first.
    A patient the record does not know has no proxies (their grants open nothing)."""
    own = list(
        PatientLink.objects.filter(patient_id=patient_id, user__is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    grants = list(
        ProxyGrant.objects.filter(
            patient_id=patient_id,
            proxy__isnull=False,
            proxy__is_active=True,
            revoked_at=None,
            starts_at__lte=now,
        )
        .filter(Q(ends_at=None) | Q(ends_at__gt=now))
        .order_by("pk")
    )
    audience = list(own)
    if not grants:
        return audience
    facts = PatientDirectory().get(patient_id)
    # A grant for a patient the record does not know opens nothing.
    if facts is None:
        return audience
    for grant in grants:
        by_patient = grant.granted_by_id is not None and grant.granted_by_id in own
        allowed = grant_access(grant, facts.birth_date, now, granted_by_patient=by_patient)
        # The grant allows nothing now (age rules, adulthood).
        if allowed is None:
            continue
        # A confidential item stays hidden from a limited proxy: no notice either.
        if confidential and allowed.limited:
            continue
        if grant.proxy_id is not None and grant.proxy_id not in audience:
            audience.append(grant.proxy_id)
    return audience
