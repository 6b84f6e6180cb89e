from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from porch.messaging import views

app_name = "messaging"

# fhir_id: the outsider walk (porch/tests/test_outsider_walk.py) fills it with each of a
# victim's resource ids (a conversation is named by its first Communication, an
# attachment by its DocumentReference); pk with the victim's row ids.
urlpatterns: list[URLPattern | URLResolver] = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/new/", views.new_message, name="new"),
    path("messages/attachments/<str:fhir_id>/", views.attachment, name="attachment"),
    path("messages/<str:fhir_id>/", views.thread, name="thread"),
    path("staff/messages/", views.staff_inbox, name="staff_inbox"),
    path("staff/messages/quick-replies/", views.quick_replies, name="quick_replies"),
    path(
        "staff/messages/quick-replies/<int:pk>/delete/",
        views.quick_reply_delete,
        name="quick_reply_delete",
    ),
    path("staff/messages/<str:fhir_id>/", views.staff_thread, name="staff_thread"),
    path("staff/messages/<str:fhir_id>/assign/", views.staff_assign, name="staff_assign"),
    path("staff/messages/<str:fhir_id>/status/", views.staff_status, name="staff_status"),
    path("staff/messages/<str:fhir_id>/notes/", views.staff_note, name="staff_note"),
]
