from __future__ import annotations

from django.contrib import admin

from porch.checkin.models import VisitQuestionnaire


@admin.register(VisitQuestionnaire)
class VisitQuestionnaireAdmin(admin.ModelAdmin[VisitQuestionnaire]):
    """Which questionnaire each visit type asks at check-in: clinic data staff edit."""

    list_display = ["visit_type", "questionnaire"]
    search_fields = ["visit_type", "questionnaire"]
