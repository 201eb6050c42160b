"""`{% analytix_consent_banner %}` and `{% analytix_privacy_status %}` (consent/banner.py):
what they write, where they write nothing, no inline script or style, and translatable.
The banner in Chromium: tests/consent/test_banner_browser.py."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.utils import translation

from analytix_frontend.consent.banner import BANNER_SCRIPT, BANNER_STYLESHEET
from analytix_frontend.page.caching import protect_response
from tests.consent.helpers import make_request
from tests.html import parse

ROOT = Path(__file__).resolve().parent.parent.parent
BANNER = "{% load analytix %}{% analytix_consent_banner policy_url=policy %}"
STATUS = "{% load analytix %}{% analytix_privacy_status %}"


def render(source: str, request: Any = None, **context: Any) -> str:
    request = request if request is not None else make_request()
    return Template(source).render(Context({"request": request, **context}))


@pytest.fixture
def consent(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}


def by_attribute(html: str, name: str) -> list[Any]:
    return [e for e in parse(html) if name in e.attrs]


def test_the_banner_is_a_labelled_dialog_with_equal_choices(consent: None) -> None:
    html = render(BANNER, policy="/privacy/", csp_nonce="n0nce")
    (dialog,) = by_attribute(html, "data-analytix-banner")
    assert dialog.attrs["role"] == "dialog" and "hidden" in dialog.attrs
    ids = {e.attrs.get("id"): e for e in parse(html)}
    assert ids[dialog.attrs["aria-labelledby"]].tag == "h2"
    assert ids[dialog.attrs["aria-describedby"]].tag == "p"
    buttons = {
        e.attrs["data-analytix-banner-action"]: e
        for e in by_attribute(html, "data-analytix-banner-action")
    }
    accept, reject = buttons["accept"], buttons["reject"]
    # reject as easy as accept: the same element, type and class (so the same style)
    assert (accept.tag, accept.attrs["type"], accept.attrs["class"]) == (
        reject.tag, reject.attrs["type"], reject.attrs["class"]
    )  # fmt: skip
    assert "hidden" not in accept.attrs and "hidden" not in reject.attrs
    assert [e.attrs["value"] for e in by_attribute(html, "data-analytix-banner-category")] == [
        "analytics", "marketing", "functional"
    ]  # fmt: skip
    assert not any(
        "checked" in e.attrs for e in by_attribute(html, "data-analytix-banner-category")
    )
    (link,) = [e for e in parse(html) if e.tag == "a"]
    assert link.attrs["href"] == "/privacy/" and link.text == "Privacy policy"


def test_the_banner_has_no_inline_script_or_style_and_its_script_has_the_nonce(
    consent: None,
) -> None:
    html = render(BANNER, policy="/privacy/", csp_nonce="n0nce")
    elements = parse(html)
    assert not [e for e in elements if e.tag == "style" or "style" in e.attrs]
    assert not [e for e in elements for a in e.attrs if a.startswith("on")]
    (script,) = [e for e in elements if e.tag == "script"]
    assert script.attrs["src"] == f"/static/{BANNER_SCRIPT}" and script.text == ""
    assert script.attrs["nonce"] == "n0nce" and "defer" in script.attrs
    assert script.attrs["data-analytix-banner-css"] == f"/static/{BANNER_STYLESHEET}"
    assert not [e for e in elements if e.tag == "link"]  # the stylesheet comes with banner.js
    assert "</div><script" in html  # banner.js finds the banner as its previous element


def test_the_banner_lists_only_the_categories_the_site_uses(consent: None, settings: Any) -> None:
    settings.ANALYTICS_IDS = {"GOOGLE_ANALYTICS_API_ID": "G-ABC123DEF4", "DRIFT_ID": "abc123xyz789"}
    html = render(BANNER)
    values = [e.attrs["value"] for e in by_attribute(html, "data-analytix-banner-category")]
    assert values == ["analytics", "functional"]
    about = {
        e.attrs["id"]: " ".join(e.text.split())
        for e in parse(html)
        if e.tag == "p" and e.attrs.get("id", "").endswith("-about")
    }
    (analytics,) = [text for id_, text in about.items() if id_.endswith("-analytics-about")]
    assert analytics == "Measures how the site is used. (Google Analytics)"
    assert not [e for e in parse(html) if e.tag == "a"]  # no policy_url: no link


@pytest.mark.parametrize(
    ("policy", "href"),
    [
        ("https://example.com/privacy", "https://example.com/privacy"),
        ("analytix:consent-record", "/analytix/consent/"),  # a URL name
        ("javascript:alert(1)", None),
        ("//evil.example/", None),
        ("/\\evil.example/", None),  # a browser reads it as "//": another host
        ('/p"><script>', '/p"><script>'),  # a path, escaped in the attribute
    ],
)
def test_the_policy_link(consent: None, policy: str, href: str | None) -> None:
    links = [e for e in parse(render(BANNER, policy=policy)) if e.tag == "a"]
    assert [e.attrs["href"] for e in links] == ([href] if href else [])


def test_no_banner_without_consent_or_with_another_source(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert render(BANNER) == ""  # CONSENT off
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": {"SOURCE": "tcf"}}
    with caplog.at_level(logging.DEBUG, logger="analytix_frontend.consent"):
        assert render(BANNER) == ""
    assert "consent comes from 'tcf'" in caplog.text


def test_one_banner_per_page(consent: None) -> None:
    request = make_request()
    assert render(BANNER, request) != ""
    assert render(BANNER, request) == ""


def status_element(html: str) -> Any:
    (element,) = by_attribute(html, "data-analytix-privacy-status")
    return element


def test_the_privacy_status_says_opt_out_request_honored_with_gpc() -> None:
    element = status_element(render(STATUS, make_request(HTTP_SEC_GPC="1")))
    assert element.text == "Opt-Out Request Honored" and "hidden" not in element.attrs
    assert element.attrs["data-analytix-privacy-text"] == "Opt-Out Request Honored"
    assert element.attrs["role"] == "status"


def test_without_gpc_the_status_is_empty_and_hidden_for_the_browser_to_fill() -> None:
    element = status_element(render(STATUS, make_request()))
    assert element.text == "" and "hidden" in element.attrs
    assert element.attrs["data-analytix-privacy-text"] == "Opt-Out Request Honored"


def test_gpc_ignored_by_the_site_is_never_honored(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "GPC": False}
    assert "hidden" in status_element(render(STATUS, make_request(HTTP_SEC_GPC="1"))).attrs


def test_the_status_varies_by_sec_gpc() -> None:
    request = make_request(HTTP_SEC_GPC="1")
    render(STATUS, request)
    assert "Sec-GPC" in protect_response(request, HttpResponse())["Vary"]


# --- translatable ----------------------------------------------------------------------------

GERMAN = {
    "Opt-Out Request Honored": "Widerspruch berücksichtigt",
    "Accept all": "Alle akzeptieren",
    "Reject all": "Alle ablehnen",
    "Analytics": "Statistik",
    "Cookies and tracking on this site": "Cookies und Tracking auf dieser Seite",
}


@pytest.fixture
def german(settings: Any, tmp_path: Path) -> None:
    """A German catalogue (compiled with msgfmt), as a site's translators would add one."""
    messages = tmp_path / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    entries = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in GERMAN.items())
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    (messages / "django.po").write_text(header + entries, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", messages / "django.mo", messages / "django.po"], check=True)
    settings.LOCALE_PATHS = [tmp_path]  # Django's setting_changed drops loaded catalogues


def test_the_texts_are_translated(german: None, consent: None) -> None:
    with translation.override("de"):
        banner = render(BANNER)
        status = render(STATUS, make_request(HTTP_SEC_GPC="1"))
    texts = {e.text.strip() for e in parse(banner)}
    assert {
        "Alle akzeptieren",
        "Alle ablehnen",
        "Statistik",
        "Cookies und Tracking auf dieser Seite",
    } <= texts
    assert status_element(status).text == "Widerspruch berücksichtigt"


def test_makemessages_finds_every_text_and_the_english_source_is_current(tmp_path: Path) -> None:
    for part in ("analytix_frontend", "templates"):
        shutil.copytree(
            ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "locale")
        )
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "makemessages.py"), "--root", str(tmp_path)],
        check=True,
    )
    fresh = msgids(tmp_path / "analytix_frontend" / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert set(GERMAN) | {"Save choices", "Choose", "Privacy policy", "(%(services)s)"} <= fresh
    shipped = msgids(ROOT / "analytix_frontend" / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert shipped == fresh, "run .venv/bin/python scripts/makemessages.py"


def msgids(po: Path) -> set[str]:
    ids, current = set(), None
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = line[len("msgid ") :].strip('"')
        elif line.startswith('"') and current is not None:
            current += line.strip('"')
        elif line.startswith("msgstr") and current is not None:
            if current:
                ids.add(current)
            current = None
    return ids
