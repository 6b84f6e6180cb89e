"""The outsider walk: every page and API route that takes a patient's or a resource's id,
and every resource type and patient reference the record store supports, tried by each
kind of outsider. Each must be refused, and the audit log must show no successful look.

Generated, not hand-listed:
- URL patterns come from the URL configuration (`get_resolver()`), so a new page is
  walked as soon as it is routed. A pattern whose keyword arguments hold no victim id
  (sign-in, metadata, a type-level FHIR search) is computed to be not applicable here; a
  keyword argument this walk does not know fails the test until it is classified below.
- Resources: one minimal valid resource of every supported type in the patient
  compartment (porch/tests/minimal_resources.py, from the R4 schema), in the victim's
  compartment; types it cannot make are in SKIPPED, with a reason, and that list may only
  shrink (test_the_skip_list_only_shrinks).
- Searches: for every type, every reference search parameter that can point at a Patient
  (the search-parameter registry), `?<param>=Patient/<victim>`; plus the unfiltered type
  search and the type and system histories.

The outsiders (cast from porch.access.tests.records.build_cast):
- Mallory, another patient, and Dr. Diaz, a clinician not on the care team: Ana's record;
- Gil, whose caregiver grant for Elda was revoked: Elda's record;
- Ben, whose parent grant for Carla has expired: Carla's record;
- Ben, parent of Teo (15): Teo's confidential entries (the rest of Teo's record is his);
- an anonymous visitor: Ana's record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from porch.access.context import AccessContext
from porch.access.models import BreakGlass, ProxyGrant
from porch.access.tests.records import Cast, build_cast
from porch.accounts.models import User
from porch.accounts.tests.cast import PASSWORD, sign_in
from porch.audit.models import AuditEvent, Outcome
from porch.record import repository, search
from porch.record.compartment import in_patient_compartment
from porch.record.errors import FhirError
from porch.record.searchparams import ParamType, params_for, supported_resource_types
from porch.tests.minimal_resources import minimal

pytestmark = pytest.mark.django_db

# Keyword arguments that carry the id of something of the victim's, and how to fill them.
VICTIM_KWARGS = {"patient_id", "fhir_id", "pk", "object_id", "id", "content_type_id"}
# Keyword arguments that carry no victim id; a pattern with only these is not applicable
# (type-level FHIR routes are walked through the search-parameter registry instead).
# "slot": an open appointment slot is the clinic's, not a patient's (nothing of the victim).
# "token": a calendar feed's secret; it is the key, not an id (porch/calendars/tests).
OTHER_KWARGS = {
    "resource_type",
    "version_id",
    "key",
    "uidb36",
    "app_label",
    "path",
    "url",
    "slot",
    "token",
}
# Types of the patient compartment the generator cannot place in it, and why. May only
# shrink: test_the_skip_list_only_shrinks fails when one becomes possible.
SKIPPED: dict[str, str] = {}
# Pages an outsider may open by design, and what must still hold.
BY_DESIGN = {
    # Breaking the glass is how a clinician not on the care team opens a chart: the form
    # is shown for any id, names nobody, and records nothing until a reason is given.
    ("access:break_glass", "clinician"),
}


# --- the routes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    template: str  # "/chart/{patient_id}/break-glass/"
    name: str  # "access:break_glass", or "" when unnamed
    kwargs: frozenset[str]

    @property
    def applicable(self) -> bool:
        return bool(self.kwargs & VICTIM_KWARGS)


_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _piece(pattern: Any) -> str:
    text = str(pattern)
    if hasattr(pattern, "_route"):  # path(): <conv:name>
        return _CONVERTER.sub(r"{\1}", text)
    # re_path(): named groups become fields; anchors and escapes go.
    text = _GROUP.sub(r"{\1}", text).lstrip("^").rstrip("$")
    return text.removesuffix("\\Z").replace("\\", "")


def routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "/", ns: str = ""
) -> Iterator[Route]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{ns}{entry.namespace}:" if entry.namespace else ns
            yield from routes(entry.url_patterns, prefix + _piece(entry.pattern), inner)
        else:
            template = prefix + _piece(entry.pattern)
            kwargs = frozenset(re.findall(r"{(\w+)}", template))
            yield Route(template, f"{ns}{entry.name}" if entry.name else "", kwargs)


def test_every_keyword_argument_of_every_route_is_classified() -> None:
    unknown = {(r.template, k) for r in routes() for k in r.kwargs - VICTIM_KWARGS - OTHER_KWARGS}
    assert unknown == set(), "classify these in VICTIM_KWARGS or OTHER_KWARGS"


# --- the victim's things ----------------------------------------------------------------


@dataclass
class Victim:
    patient_id: str
    # (type, id) of resources the outsider must not see.
    resources: set[tuple[str, str]] = field(default_factory=set)
    # Ids of operational rows about the victim (grants, break-the-glass).
    rows: set[int] = field(default_factory=set)
    user_pk: int | None = None
    # Whether the outsider may see the rest of the record (a parent of a teen).
    only_confidential: bool = False
    names: tuple[str, ...] = ()


RESTRICTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}


def compartment_types() -> list[str]:
    return [t for t in supported_resource_types() if in_patient_compartment(t)]


def make_resources(
    patient_id: str, *, confidential: bool
) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """One resource of each compartment type in the patient's compartment, and the types
    that could not be made with why. Confidential ones carry a restricted label."""
    system = AccessContext.system(actor="system:test", purpose="test")
    only_patient = AccessContext.for_patients("t", frozenset({patient_id}), purpose="test")
    made: set[tuple[str, str]] = set()
    skipped: dict[str, str] = {}
    for resource_type in compartment_types():
        if resource_type == "Patient":
            continue  # the victim's own Patient is used
        try:
            body = minimal(resource_type, patient_id)
            if confidential:
                body["meta"] = {"security": [RESTRICTED]}
            stored = repository.create(system, body).stored
        except (LookupError, FhirError) as exc:
            skipped[resource_type] = str(exc)
            continue
        placed = search.match_ids(only_patient, resource_type, [("_id", stored.id)]).exists()
        if not placed:
            skipped[resource_type] = "not placed in the patient's compartment"
            continue
        made.add((resource_type, stored.id))
    return made, skipped


def test_the_skip_list_only_shrinks() -> None:
    build_cast()
    _, skipped = make_resources("ana", confidential=False)
    assert set(skipped) == set(SKIPPED), skipped


# --- the outsiders ------------------------------------------------------------------------


@dataclass
class Outsider:
    label: str
    user: User | None
    role: str
    victim: Victim


def _setup(who: str) -> tuple[Outsider, Cast]:
    cast = build_cast()
    now = timezone.now()
    cast.grants["gil-elda"].revoked_at = now - timedelta(minutes=1)
    cast.grants["gil-elda"].save(update_fields=["revoked_at"])
    expired = cast.grants["ben-carla"]
    expired.starts_at, expired.ends_at = now - timedelta(days=30), now - timedelta(days=1)
    expired.save(update_fields=["starts_at", "ends_at"])
    # Someone broke the glass for each patient once: the report rows are the victims' too.
    for patient_id in cast.patients.values():
        BreakGlass.objects.create(
            user=cast.cruz,
            patient_id=patient_id,
            reason="test",
            expires_at=now - timedelta(hours=1),
        )

    def victim(key: str, user: User | None, **extra: Any) -> Victim:
        patient_id = cast.patients[key]
        confidential = bool(extra.get("only_confidential"))
        made, _ = make_resources(patient_id, confidential=confidential)
        rows = set(ProxyGrant.objects.filter(patient_id=patient_id).values_list("pk", flat=True))
        rows |= set(BreakGlass.objects.filter(patient_id=patient_id).values_list("pk", flat=True))
        if confidential:
            made |= {("Condition", cast.confidential[key]), ("Condition", cast.labelled[key])}
        else:
            made |= {("Patient", patient_id), ("Condition", cast.plain[key])}
        return Victim(patient_id, made, rows, user.pk if user else None, **extra)

    ana_names = ("Alvarez",)
    outsiders = {
        "mallory": lambda: Outsider(
            "another patient", cast.mallory, "patient", victim("ana", cast.ana, names=ana_names)
        ),
        "diaz": lambda: Outsider(
            "a clinician not on the care team",
            cast.diaz,
            "clinician",
            victim("ana", cast.ana, names=ana_names),
        ),
        "gil": lambda: Outsider(
            "a proxy whose grant was revoked", cast.gil, "proxy", victim("elda", cast.elda)
        ),
        "ben-expired": lambda: Outsider(
            "a proxy whose grant expired", cast.ben, "proxy", victim("carla", None)
        ),
        "ben-teen": lambda: Outsider(
            "a parent, for a teen's confidential entries",
            cast.ben,
            "proxy",
            victim("teo", cast.teo, only_confidential=True),
        ),
        "anonymous": lambda: Outsider(
            "an anonymous visitor", None, "", victim("ana", cast.ana, names=ana_names)
        ),
    }
    return outsiders[who](), cast


# --- what is tried --------------------------------------------------------------------------


def url_values(route: Route, victim: Victim) -> Iterator[dict[str, str]]:
    """Every filling of the route's keyword arguments with the victim's ids."""
    if "fhir_id" in route.kwargs:
        for resource_type, fhir_id in sorted(victim.resources):
            yield {
                "resource_type": resource_type,
                "fhir_id": fhir_id,
                "version_id": "1",
                "slot": "1",
            }
        return
    ids: list[str] = []
    if "patient_id" in route.kwargs:
        if victim.only_confidential:
            return  # the parent may open the teen's record; only its entries are walked
        ids = [victim.patient_id]
    else:
        ids = [str(pk) for pk in sorted(victim.rows)]
        if victim.user_pk is not None:
            ids.append(str(victim.user_pk))
        if not victim.only_confidential:
            ids.append(victim.patient_id)
    content_type = str(ContentType.objects.get_for_model(ProxyGrant).pk)
    for value in dict.fromkeys(ids):
        filled = {k: value for k in route.kwargs & VICTIM_KWARGS}
        if "content_type_id" in route.kwargs:
            filled["content_type_id"] = content_type
        filled |= {
            "app_label": "access",
            "path": "x",
            "url": "x",
            "key": "x",
            "uidb36": "x",
            "resource_type": "Patient",
            "version_id": "1",
            "slot": "1",
        }
        yield {k: v for k, v in filled.items() if k in route.kwargs}


ADMIN_LOGIN = "/admin/login/"


def refused(response: HttpResponse, outsider: Outsider, url: str) -> bool:
    if response.status_code in (404, 405, 410):
        return True
    if response.status_code == 401:
        return outsider.user is None or url.startswith("/fhir")
    if response.status_code == 302:
        location = response["Location"]
        to_login = location.startswith(reverse("account_login"))
        return location.startswith(ADMIN_LOGIN) or (outsider.user is None and to_login)
    return False


def fhir_entries(response: HttpResponse) -> set[tuple[str, str]]:
    if response.status_code != 200 or not response["Content-Type"].startswith(
        "application/fhir+json"
    ):
        return set()
    body = orjson.loads(response.content)
    found = set()
    for entry in body.get("entry", []):
        resource = entry.get("resource", {})
        found.add((resource.get("resourceType", ""), resource.get("id", "")))
    return found


def searches(victim: Victim) -> Iterator[str]:
    yield "/fhir/_history"
    for resource_type in supported_resource_types():
        yield f"/fhir/{resource_type}?_count=1000"
        yield f"/fhir/{resource_type}/_history?_count=1000"
        for param in params_for(resource_type).values():
            if param.type is ParamType.REFERENCE and param.can_target("Patient"):
                yield f"/fhir/{resource_type}?{param.code}=Patient/{victim.patient_id}&_count=1000"


# --- the walk -----------------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    failures: list[str] = field(default_factory=list)


def _client(outsider: Outsider) -> Client:
    client = Client()
    if outsider.user is not None:
        sign_in(client, outsider.user.email)
        # Sensitive pages ask for the password again; give it, so they answer for real.
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


@pytest.mark.parametrize("who", ["mallory", "diaz", "gil", "ben-expired", "ben-teen", "anonymous"])
def test_an_outsider_is_refused_everywhere(who: str) -> None:
    outsider, _ = _setup(who)
    victim = outsider.victim
    client = _client(outsider)
    started = timezone.now()
    tally = Tally()

    applicable = [r for r in routes() if r.applicable]
    for route in applicable:
        for values in url_values(route, victim):
            url = route.template.format(**values)
            response = client.get(url)
            tally.requests += 1
            if refused(response, outsider, url):
                continue
            if (route.name, outsider.role) in BY_DESIGN and response.status_code == 200:
                text = response.content.decode()
                if not any(name in text for name in victim.names):
                    continue
            where = f" -> {response['Location']}" if response.status_code == 302 else ""
            tally.failures.append(
                f"GET {url} ({route.name}) answered {response.status_code}{where}"
            )

    for url in searches(victim):
        response = client.get(url)
        tally.requests += 1
        if outsider.user is None:
            if response.status_code != 401:
                tally.failures.append(f"GET {url} answered {response.status_code} to anonymous")
            continue
        leaked = fhir_entries(response) & victim.resources
        if leaked:
            tally.failures.append(f"GET {url} returned {sorted(leaked)[:3]}")
        if (
            victim.patient_id in {i for t, i in fhir_entries(response) if t == "Patient"}
            and not victim.only_confidential
        ):
            tally.failures.append(f"GET {url} returned the victim's Patient")

    assert tally.failures == [], (
        f"{outsider.label}: {len(tally.failures)} of {tally.requests} not refused: "
        + "\n".join(tally.failures)
    )
    assert tally.requests > 500

    looked = AuditEvent.objects.filter(
        at__gte=started,
        outcome=Outcome.SUCCESS,
        user_id=outsider.user.pk if outsider.user else None,
    )
    ids = {i for _, i in victim.resources}
    if victim.only_confidential:
        looked = looked.filter(resource_id__in=ids)
    else:
        looked = looked.filter(patient_id=victim.patient_id)
    assert list(looked.values_list("action", "resource_type", "resource_id")) == []
