"""The notification email: HTML and plain text, in the person's language, with a
Message-ID derived from the notification's key, so every attempt carries the same id."""

from __future__ import annotations

import hashlib
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from porch.i18n import language_of
from porch.notifications import wording
from porch.notifications.models import Notification


class MailError(Exception):
    """Sending failed; `permanent` (a 5xx answer): it bounced, trying again will not help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def message_id(notification: Notification) -> str:
    """The same for every attempt at this notification's email: a receiver that sees it
    twice (a worker died after the server accepted it) can tell it is one message."""
    digest = hashlib.sha256(
        f"{notification.key}|{notification.recipient_id}|email".encode()
    ).hexdigest()[:40]
    domain = urlsplit(settings.SITE_URL).hostname or "porch.invalid"
    return f"<{digest}@{domain}>"


def build(notification: Notification, *, for_proxy: bool) -> EmailMultiAlternatives:
    user = notification.recipient
    language = language_of(user)
    with translation.override(language):
        subject = wording.subject(notification.kind)
        context = {
            "subject": subject,
            "line": wording.line(notification.kind, for_proxy=for_proxy),
            "url": f"{settings.SITE_URL}/notifications/",
            "language": language,
        }
        text = render_to_string("notifications/email/notice.txt", context)
        html = render_to_string("notifications/email/notice.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        headers={"Message-ID": message_id(notification), "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message


def send(message: EmailMultiAlternatives) -> None:
    """Send through the configured backend (SMTP in production). Raises MailError."""
    connection = get_connection(fail_silently=False)
    try:
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise MailError(
            f"refused by the server ({', '.join(map(str, codes))})",
            permanent=all(code >= 500 for code in codes),
        ) from exc
    except smtplib.SMTPResponseException as exc:
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        raise MailError(f"{exc.smtp_code} {reply}"[:300], permanent=exc.smtp_code >= 500) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}"[:300], permanent=False) from exc
