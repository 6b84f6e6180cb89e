"""The audit log's pages: a patient's "Who has looked at my record", and the staff report."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from porch.access.context import AccessContext
from porch.accounts.models import Role
from porch.accounts.roles import has_role
from porch.audit import export, wording
from porch.audit.forms import ReportFilterForm
from porch.audit.models import AuditEvent
from porch.audit.queries import PATIENT_FACING_PURPOSES, record_activity, report_events

PAGE_SIZE = 25
REPORT_PAGE_SIZE = 50


def _open_record(ctx: AccessContext) -> str:
    """The patient whose record a patient or proxy has open; Http404 when none is."""
    patient_id = ctx.acting_for
    # Only a patient or a proxy reads this page, for the record their context has open.
    if ctx.purpose not in PATIENT_FACING_PURPOSES or not patient_id:
        raise Http404("No record is open")
    # The open record must be one the context may read.
    if ctx.patient_ids is None or patient_id not in ctx.patient_ids:
        raise Http404("No record is open")
    return patient_id


def _names(events: Page[AuditEvent]) -> dict[int, str]:
    ids = {e.user_id for e in events if e.user_id is not None}
    users = get_user_model().objects.filter(pk__in=ids)
    return {u.pk: u.get_full_name() for u in users}


@login_required
def my_record_log(request: HttpRequest) -> HttpResponse:
    ctx: AccessContext = request.access  # type: ignore[attr-defined]
    patient_id = _open_record(ctx)
    page = Paginator(record_activity(ctx, patient_id), PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = wording.Viewer(request.user.pk, own_record=ctx.purpose == "patient-access")
    names = _names(page)
    lines = [wording.sentence(event, viewer, names) for event in page]
    return render(
        request, "audit/my_record_log.html", {"page": page, "lines": lines, "viewer": viewer}
    )


def _administrator_only(request: HttpRequest) -> None:
    # Only administrators read the audit report; anyone else finds nothing here.
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise Http404("No such page")


@login_required
def report(request: HttpRequest) -> HttpResponse:
    _administrator_only(request)
    form = ReportFilterForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        events = report_events(form.filters())
    elif not form.is_bound:
        events = AuditEvent.objects.order_by("-at", "-pk")
    else:
        events = AuditEvent.objects.none()
    page = Paginator(events, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/report.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
def report_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _administrator_only(request)
    form = ReportFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/report.html", {"form": form, "page": None}, status=400)
    events = report_events(form.filters()) if form.is_bound else AuditEvent.objects.order_by("-at")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        export.rows(events.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="porch-audit-{stamp}.csv"'
    return response
