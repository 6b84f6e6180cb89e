"""Staff manage pools (members, office hours, automatic reply) in the admin. Messages are
in the record and are not shown here; conversations show only their routing."""

from __future__ import annotations

from django.contrib import admin

from porch.messaging.models import Conversation, Pool


@admin.register(Pool)
class PoolAdmin(admin.ModelAdmin[Pool]):
    list_display = ("name", "slug", "office_days", "opens_at", "closes_at", "active")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    # Routing only: the subject and words are in the record, read through the portal.
    list_display = ("thread_id", "patient_id", "topic", "pool", "status", "last_message_at")
    list_filter = ("status", "pool", "topic")
    fields = ("thread_id", "patient_id", "topic", "pool", "practitioner_id", "assignee", "status")
    readonly_fields = ("thread_id", "patient_id", "topic")
