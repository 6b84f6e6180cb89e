"""Screenshots of Porch's pages for the README and the user guide: docs/screenshots/.

Run against a running demo (`make demo` in another terminal), with the demo's data
directory in PORCH_DATA_DIR (default var/) so the script finds the demo password and the
clinician's authenticator secret:

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000]

Takes, full page unless said, at desktop width (1280 px) unless said:

- home-{en,es}-{phone,desktop}.png: the demo patient's home page in English and Spanish
  at phone (375 px) and desktop widths;
- as the demo patient: guide-sign-in (the sign-in page, one screen), guide-home,
  guide-results, guide-report (the first report, newest first, that draws a trend chart)
  and guide-report-phone (the same at 375 px), guide-summary, guide-download,
  guide-activity (who has looked at my record), guide-messages (the demo conversation),
  guide-new-message, guide-notifications and guide-notification-settings;
- as the demo parent: guide-records (the records they may open);
- as the demo clinician on the care team: guide-staff-inbox and guide-staff-thread (the
  demo conversation from the staff side).

Home and results are taken before any report or conversation is opened, so they show what
is new; the run then opens some (finding a report with a trend), so for the home page's
"Needs your attention" as a newcomer sees it, run once against a fresh demo data directory.
Staff sign in with a TOTP code: from --totp-secret, or else from the clinician's
authenticator in the demo's database (Django set up with porch.settings, which reads the
same PORCH_DATA_DIR / DATABASE_URL as the demo). A code is accepted once: wait 30 s before
running again.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS: dict[str, ViewportSize] = {
    "phone": {"width": 375, "height": 812},
    "desktop": {"width": 1280, "height": 800},
}
DOMAIN = "demo.porch.example"
# Links to one report on the results list (not the list's own filters or preferences).
REPORT_LINK = re.compile(r"^/results/(?!preferences/)[^/?]+/$")
THREAD_LINK = re.compile(r"^/(staff/)?messages/(?!new/|attachments/|quick-replies/)[^/?]+/$")


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.press('input[name="password"]', "Enter")
    if "/accounts/login/" in page.url:
        raise SystemExit(f"Could not sign in as {email} at {page.url}")


def _second_factor(page: Page, secret: str) -> None:
    """Answers the authenticator step with the current TOTP code."""
    if "/2fa/" not in page.url:
        raise SystemExit(f"Expected the authenticator step after signing in, got {page.url}")
    page.fill('input[name="code"]', _totp_now(secret))
    with page.expect_navigation():
        page.press('input[name="code"]', "Enter")
    if "/2fa/" in page.url or "/accounts/login/" in page.url:
        raise SystemExit(f"The authenticator code was refused at {page.url}")


def _reauthenticate_if_asked(page: Page, password: str) -> None:
    if "/reauthenticate/" in page.url:
        page.fill('input[name="password"]', password)
        with page.expect_navigation():
            page.press('input[name="password"]', "Enter")


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "porch.settings")
    import django

    django.setup()


def _totp_now(secret: str) -> str:
    _django_setup()
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    code: str = format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))
    return code


def _stored_totp_secret(email: str) -> str:
    """The clinician's TOTP secret, as `porch demo` prints it, from the demo's database."""
    _django_setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    found = Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).first()
    if found is None:
        raise SystemExit(
            f"No authenticator for {email} in the database of PORCH_DATA_DIR; "
            "pass --totp-secret (printed by `porch demo`)"
        )
    secret: str = decrypt(found.data["secret"])
    return secret


def _go(page: Page, path: str) -> None:
    """Opens a page, stopping on an error answer rather than photographing it."""
    response = page.goto(path)
    if response is None or not response.ok:
        status = response.status if response else "no answer"
        raise SystemExit(f"{path}: {status}")


def _shot(page: Page, name: str, *, full_page: bool = True, signed_in: bool = True) -> None:
    if signed_in and "/accounts/" in page.url:
        raise SystemExit(f"{name}: signed out at {page.url}")
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(path)


def _context(
    browser: Browser, base: str, width: str = "desktop", language: str = "en"
) -> BrowserContext:
    context = browser.new_context(base_url=base, viewport=WIDTHS[width])
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context


def _use_language(page: Page, base: str, language: str) -> None:
    """Once signed in: the language the screenshot is for, whatever the account had stored."""
    page.request.post(
        "/i18n/setlang/",
        form={"language": language, "next": "/"},
        headers={"X-CSRFToken": _csrf(page), "Referer": base + "/"},
    )


def _links(page: Page, pattern: re.Pattern[str]) -> list[str]:
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.pathname)")
    return list(dict.fromkeys(h for h in hrefs if pattern.match(h)))


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def home_shots(browser: Browser, base: str, email: str, password: str) -> None:
    for language in ("en", "es"):
        for width in WIDTHS:
            context = _context(browser, base, width, language)
            page = context.new_page()
            _sign_in(page, email, password)
            _use_language(page, base, language)
            _go(page, "/")
            _shot(page, f"home-{language}-{width}")
            context.close()


def _find_trend_report(page: Page) -> str:
    """The first report on the results list whose page draws a trend chart."""
    _go(page, "/results/")
    for href in _links(page, REPORT_LINK):
        html = page.request.get(href).text()
        if 'data-testid="trend-chart"' in html:
            return href
    raise SystemExit("None of the demo patient's reports draws a trend chart")


def patient_shots(browser: Browser, base: str, email: str, password: str) -> None:
    context = _context(browser, base)
    page = context.new_page()
    _go(page, "/accounts/login/")
    _shot(page, "guide-sign-in", full_page=False, signed_in=False)
    _sign_in(page, email, password)
    _use_language(page, base, "en")
    # Home and results first: opening a report or the conversation marks it read.
    _go(page, "/")
    _shot(page, "guide-home")
    _go(page, "/results/")
    _shot(page, "guide-results")
    report = _find_trend_report(page)
    _go(page, report)
    page.get_by_test_id("trend-chart").first.wait_for()
    _shot(page, "guide-report")
    page.set_viewport_size(WIDTHS["phone"])
    _go(page, report)
    _shot(page, "guide-report-phone")
    page.set_viewport_size(WIDTHS["desktop"])
    _go(page, "/summary/")
    _shot(page, "guide-summary")
    _go(page, "/record/download/")
    _reauthenticate_if_asked(page, password)
    _shot(page, "guide-download")
    _go(page, "/record/activity/")
    _shot(page, "guide-activity")
    _go(page, "/messages/")
    threads = _links(page, THREAD_LINK)
    if not threads:
        raise SystemExit("The demo patient has no conversation at /messages/")
    _go(page, threads[0])
    _shot(page, "guide-messages")
    _go(page, "/messages/new/")
    _shot(page, "guide-new-message")
    _go(page, "/notifications/")
    _shot(page, "guide-notifications")
    _go(page, "/notifications/settings/")
    _shot(page, "guide-notification-settings")
    context.close()


def caregiver_shots(browser: Browser, base: str, email: str, password: str) -> None:
    context = _context(browser, base)
    page = context.new_page()
    _sign_in(page, email, password)
    _use_language(page, base, "en")
    _go(page, "/records/")
    _shot(page, "guide-records")
    context.close()


def staff_shots(browser: Browser, base: str, email: str, password: str, secret: str) -> None:
    context = _context(browser, base)
    page = context.new_page()
    _sign_in(page, email, password)
    _second_factor(page, secret)
    _use_language(page, base, "en")
    _go(page, "/staff/messages/")
    threads = _links(page, THREAD_LINK)
    if not threads:
        # The demo conversation waits for the patient (answered), so it is not "open".
        _go(page, "/staff/messages/?queue=all&status=")
        threads = _links(page, THREAD_LINK)
    if not threads:
        raise SystemExit(f"{email} has no conversation at /staff/messages/")
    _shot(page, "guide-staff-inbox")
    _go(page, threads[0])
    _shot(page, "guide-staff-thread")
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--email", default=f"patient@{DOMAIN}", help="the patient")
    parser.add_argument("--proxy-email", default=f"parent@{DOMAIN}", help="for guide-records")
    parser.add_argument("--staff-email", default=f"dr.care@{DOMAIN}", help="the clinician")
    parser.add_argument("--password", help="default: the demo's, from PORCH_DATA_DIR or var/")
    parser.add_argument("--totp-secret", help="the clinician's; default: from the demo's database")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    if not args.password:
        data_dir = Path(os.environ.get("PORCH_DATA_DIR") or OUT.parent.parent / "var")
        args.password = (data_dir / "demo-password").read_text().strip()
    secret = args.totp_secret or _stored_totp_secret(args.staff_email)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        home_shots(browser, args.base, args.email, args.password)
        patient_shots(browser, args.base, args.email, args.password)
        caregiver_shots(browser, args.base, args.proxy_email, args.password)
        staff_shots(browser, args.base, args.staff_email, args.password, secret)
        browser.close()


if __name__ == "__main__":
    main()
