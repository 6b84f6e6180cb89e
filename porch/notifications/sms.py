"""Text messages: one provider interface, and Twilio's REST API behind it.

Twilio (https://www.twilio.com/docs/messaging/api/message-resource): POST
{base}/2010-04-01/Accounts/{AccountSid}/Messages.json with form fields To, From, Body and
HTTP basic auth (account SID, auth token); 201 with the message's "sid", or an error JSON
with a numeric "code" (21610: the number replied STOP). Inbound texts come to our webhook
signed with X-Twilio-Signature (https://www.twilio.com/docs/usage/security): base64 of
HMAC-SHA1, keyed with the auth token, over the full URL followed by each POST parameter's
name and value, sorted by name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Protocol

from django.conf import settings

# Twilio: "Attempt to send to unsubscribed recipient".
TWILIO_UNSUBSCRIBED = 21610
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Twilio's default opt-out and opt-in keywords.
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
START_WORDS = frozenset({"START", "YES", "UNSTOP"})


class SmsError(Exception):
    """Sending failed. `permanent`: trying again will not help. `unsubscribed`: the
    provider says the number opted out."""

    def __init__(self, message: str, *, permanent: bool, unsubscribed: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.unsubscribed = unsubscribed


class SmsProvider(Protocol):
    def send(self, to: str, body: str) -> str:
        """Send `body` to `to` (E.164); the provider's message id. Raises SmsError."""
        ...


class TwilioProvider:
    def __init__(
        self, account_sid: str, auth_token: str, from_number: str, base_url: str, timeout: float
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(self, to: str, body: str) -> str:
        sid = urllib.parse.quote(self.account_sid, safe="")
        url = f"{self.base_url}/2010-04-01/Accounts/{sid}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.from_number, "Body": body}).encode()
        auth = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Basic {auth}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise _twilio_error(exc) from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SmsError(f"Twilio could not be reached: {exc}", permanent=False) from exc
        message_id = str(answer.get("sid") or "")
        if not message_id:
            raise SmsError("Twilio accepted the message without a sid", permanent=False)
        return message_id


def _twilio_error(exc: urllib.error.HTTPError) -> SmsError:
    try:
        answer = json.loads(exc.read() or b"{}")
    except ValueError:
        answer = {}
    code = answer.get("code") if isinstance(answer, dict) else None
    words = f"Twilio {exc.code}" + (f", error {code}" if code else "")
    if code == TWILIO_UNSUBSCRIBED:
        return SmsError(f"{words}: the number replied STOP", permanent=True, unsubscribed=True)
    # Throttled or a server fault: try again later. Any other 4xx is our request's fault.
    permanent = 400 <= exc.code < 500 and exc.code != 429
    return SmsError(words, permanent=permanent)


def provider() -> SmsProvider | None:
    """The configured provider, or None when texts are off (SMS_PROVIDER empty)."""
    if settings.SMS_PROVIDER != "twilio":
        return None
    return TwilioProvider(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_FROM_NUMBER,
        settings.TWILIO_API_BASE,
        settings.SMS_TIMEOUT,
    )


def twilio_signature(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """X-Twilio-Signature of a POST to `url` with form `params`."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def valid_twilio_signature(
    url: str, params: Mapping[str, str], auth_token: str, given: str
) -> bool:
    if not auth_token or not given:
        return False
    return hmac.compare_digest(twilio_signature(url, params, auth_token), given)


def keyword(body: str) -> str | None:
    """ "stop" or "start" when an inbound text is an opt-out or opt-in keyword."""
    word = " ".join(body.strip().upper().split())
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    return None
