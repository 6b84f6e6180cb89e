"""Secure messaging pages: the patient's (and proxy's) inbox, new message and conversation;
the care team's inbox, conversation and quick replies; attachment downloads. Thin: forms
parse, queries read and authorize, actions write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porch.access import actions as access_actions
from porch.access.rules import request_context
from porch.messaging import actions, attachments, queries
from porch.messaging.forms import (
    AssignForm,
    NewMessageForm,
    NoteForm,
    QuickReplyForm,
    ReplyForm,
    StaffFilterForm,
    StatusForm,
)
from porch.messaging.models import Conversation, QuickReply, Status
from porch.results.queries import patient_facing


def _refuse(form: Any, refusal: actions.MessageRefused) -> int:
    for reason in refusal.reasons:
        form.add_error(None, reason)
    return refusal.status


# --- patients and proxies -------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    ctx, patient_id = queries.patient_record(request_context(request))
    lines = queries.inbox(ctx, patient_id, request.user.pk or 0)
    return render(request, "messaging/inbox.html", {"lines": lines, "may_write": ctx.may_write})


@login_required
@require_http_methods(["GET", "POST"])
def new_message(request: HttpRequest) -> HttpResponse:
    ctx, patient_id = queries.patient_record(request_context(request))
    may_private = queries.may_mark_private(request, ctx)
    form = NewMessageForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        recipients=queries.recipients(ctx, patient_id),
        may_mark_private=may_private,
    )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.check_throttle(request)
            conversation = actions.check_start_conversation(
                ctx,
                actions.patient_author(ctx, request.user, patient_id),  # type: ignore[arg-type]
                patient_id,
                form.chosen_recipient,
                data["topic"],
                data["subject"],
                data["body"],
                data["attachments"],
                private=bool(data.get("private")),
                may_mark_private=may_private,
            )
        except actions.MessageRefused as refusal:
            status = _refuse(form, refusal)
        else:
            messages.success(request, _("Your message was sent."))
            return redirect("messaging:thread", fhir_id=conversation.thread_id)
    context = {"form": form, "may_write": ctx.may_write}
    return render(request, "messaging/new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, fhir_id: str) -> HttpResponse:
    """A conversation of the open record (fhir_id: its first Communication), and the reply."""
    ctx, patient_id = queries.patient_record(request_context(request))
    other = queries.record_to_open(request, fhir_id)
    if request.method == "GET" and other is not None and other != patient_id:
        access_actions.check_switch_record(request, other)
        return redirect("messaging:thread", fhir_id=fhir_id)
    conversation = queries.access_conversation(ctx, fhir_id)
    form = ReplyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_throttle(request)
            author = actions.patient_author(ctx, request.user, patient_id)  # type: ignore[arg-type]
            actions.check_reply(
                ctx,
                author,
                conversation,
                form.cleaned_data["body"],
                form.cleaned_data["attachments"],
            )
        except actions.MessageRefused as refusal:
            status = _refuse(form, refusal)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("messaging:thread", fhir_id=fhir_id)
    detail = queries.thread(ctx, conversation, request.user.pk or 0)
    actions.do_mark_read(conversation, request.user, care_team=False)
    context = {"thread": detail, "form": form, "may_write": ctx.may_write, "staff": False}
    return render(request, "messaging/thread.html", context, status=status)


@login_required
@require_GET
def attachment(request: HttpRequest, fhir_id: str) -> FileResponse:
    """A message attachment (fhir_id: its DocumentReference), as a download."""
    ctx = request_context(request)
    if patient_facing(ctx):
        row = queries.access_attachment(queries.patient_record(ctx)[0], fhir_id)
    else:
        row = queries.access_staff_attachment(request, queries.staff_member(request), fhir_id)
    try:
        handle = attachments.path_of(row.stored_name).open("rb")
    except (OSError, ValueError) as error:
        raise Http404("No such file") from error
    response = FileResponse(handle, content_type=row.content_type)
    response["Content-Disposition"] = attachments.content_disposition(row.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the care team --------------------------------------------------------------------------


@login_required
@require_GET
def staff_inbox(request: HttpRequest) -> HttpResponse:
    member = queries.staff_member(request)
    form = StaffFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    queue = data.get("queue") or queries.QUEUE_ALL
    status = data.get("status", Status.OPEN) if "status" in request.GET else Status.OPEN
    lines = queries.staff_inbox(request, member, queue, status, data.get("q", ""))
    pools = [(f"pool-{p.pk}", p.name) for p in member.user.message_pools.order_by("name")]
    context = {"lines": lines, "form": form, "queue": queue, "status": status, "pools": pools}
    return render(request, "messaging/staff_inbox.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_thread(request: HttpRequest, fhir_id: str) -> HttpResponse:
    member = queries.staff_member(request)
    conversation, ctx = queries.access_staff_conversation(request, member, fhir_id)
    form = ReplyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_throttle(request)
            actions.check_reply(
                ctx,
                actions.staff_author(member),
                conversation,
                form.cleaned_data["body"],
                form.cleaned_data["attachments"],
            )
        except actions.MessageRefused as refusal:
            status = _refuse(form, refusal)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("messaging:staff_thread", fhir_id=fhir_id)
    detail = queries.staff_thread(ctx, conversation, member.user.pk)
    actions.do_mark_read(conversation, member.user, care_team=True)
    context = {
        "thread": detail,
        "form": form,
        "may_write": True,
        "staff": True,
        "status_form": StatusForm(initial={"status": conversation.status}),
        "assign_form": AssignForm(
            initial={"assignee": conversation.assignee_id},
            colleagues=queries.colleagues(member),
        ),
        "note_form": NoteForm(),
        "quick_replies": QuickReply.objects.filter(owner=member.user),
    }
    return render(request, "messaging/thread.html", context, status=status)


def _staff_change(
    request: HttpRequest,
    fhir_id: str,
    change: Callable[[queries.StaffMember, Conversation], None],
    saved: str,
) -> HttpResponse:
    """One change from the thread's side panel: `change` writes (or raises MessageRefused,
    whose reasons are shown); back to the conversation either way."""
    member = queries.staff_member(request)
    conversation, _ctx = queries.access_staff_conversation(request, member, fhir_id)
    try:
        change(member, conversation)
    except actions.MessageRefused as refusal:
        messages.error(request, " ".join(refusal.reasons))
    else:
        messages.success(request, saved)
    return redirect("messaging:staff_thread", fhir_id=fhir_id)


@login_required
@require_POST
def staff_assign(request: HttpRequest, fhir_id: str) -> HttpResponse:
    def assign(member: queries.StaffMember, conversation: Conversation) -> None:
        form = AssignForm(request.POST, colleagues=queries.colleagues(member))
        if not form.is_valid():
            raise actions.MessageRefused(_("Choose a colleague from the list."))
        actions.check_assign(member, conversation, form.cleaned_data["assignee"])

    return _staff_change(request, fhir_id, assign, _("Assignment saved."))


@login_required
@require_POST
def staff_status(request: HttpRequest, fhir_id: str) -> HttpResponse:
    def set_status(_member: queries.StaffMember, conversation: Conversation) -> None:
        actions.check_set_status(conversation, request.POST.get("status", ""))

    return _staff_change(request, fhir_id, set_status, _("Status saved."))


@login_required
@require_POST
def staff_note(request: HttpRequest, fhir_id: str) -> HttpResponse:
    def add_note(member: queries.StaffMember, conversation: Conversation) -> None:
        form = NoteForm(request.POST)
        if not form.is_valid():
            raise actions.MessageRefused(*[str(e) for e in form.errors.get("body", [])])
        actions.check_add_note(member, conversation, form.cleaned_data["body"])

    return _staff_change(request, fhir_id, add_note, _("Note saved. The patient does not see it."))


@login_required
@require_http_methods(["GET", "POST"])
def quick_replies(request: HttpRequest) -> HttpResponse:
    member = queries.staff_member(request)
    form = QuickReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_save_quick_reply(
                member, form.cleaned_data["title"], form.cleaned_data["body"]
            )
        except actions.MessageRefused as refusal:
            _refuse(form, refusal)
        else:
            messages.success(request, _("Quick reply saved."))
            return redirect("messaging:quick_replies")
    context = {"form": form, "quick_replies": QuickReply.objects.filter(owner=member.user)}
    return render(request, "messaging/quick_replies.html", context)


@login_required
@require_POST
def quick_reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = queries.staff_member(request)
    actions.check_delete_quick_reply(member, pk)
    messages.success(request, _("Quick reply deleted."))
    return redirect("messaging:quick_replies")
