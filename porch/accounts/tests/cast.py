"""The test cast, shared by every app's tests.

Ana is a patient; Ben is Ana's parent (a proxy); Dr. Cruz is a clinician on Ana's care
team; Dr. Diaz is a clinician who is not; Fran works the front desk; Mallory is another
patient. Link them to records and grants in your own tests: this module only makes
accounts.

    ana = make_user(ANA, Role.PATIENT)
    cruz = make_user(CRUZ, Role.CLINICIAN)         # staff get a TOTP authenticator
    sign_in(client, CRUZ)                          # through the real sign-in pages
    client.force_login(ana)                        # when sign-in is not under test
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from porch.accounts.models import STAFF_ROLES, Role, RoleAssignment, User

PASSWORD = "correct horse battery staple"
# A fixed base32 TOTP secret, so tests are deterministic.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

ANA = "ana@example.org"
BEN = "ben@example.org"
CRUZ = "cruz@example.org"
DIAZ = "diaz@example.org"
FRAN = "fran@example.org"
MALLORY = "mallory@example.org"

NAMES = {
    ANA: ("Ana", "Alvarez"),
    BEN: ("Ben", "Alvarez"),
    CRUZ: ("Ada", "Cruz"),
    DIAZ: ("Dan", "Diaz"),
    FRAN: ("Fran", "Fields"),
    MALLORY: ("Mallory", "Moss"),
}


def make_user(email: str, *roles: Role, password: str = PASSWORD, mfa: bool | None = None) -> User:
    """An active account with a verified email and the given roles.

    `mfa=None` gives a TOTP authenticator (secret TOTP_SECRET) to staff roles only, so
    staff are not sent to MFA set-up; pass True or False to choose.
    """
    first, last = NAMES.get(email, ("", ""))
    user = User.objects.create_user(
        username=email, email=email, password=password, first_name=first, last_name=last
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role)
    if mfa or (mfa is None and STAFF_ROLES & set(roles)):
        TOTP.activate(user, TOTP_SECRET)
    return user


def totp_now(secret: str = TOTP_SECRET, at: float | None = None) -> str:
    """The RFC 6238 code (SHA-1, 30 s, 6 digits) an authenticator app would show."""
    counter = int((time.time() if at is None else at) // 30)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(client: Client, email: str, password: str = PASSWORD) -> None:
    """Signs in through allauth's pages, giving the TOTP code when asked."""
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, response.content
    if response["Location"].startswith("/accounts/2fa/authenticate/"):
        response = client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
        assert response.status_code == 302, response.content
    assert "_auth_user_id" in client.session, "sign-in did not complete"
