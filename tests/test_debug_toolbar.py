"""The django-debug-toolbar panel, with the real toolbar: through Django's test client (the
panel's content as the toolbar serves it from its store) and in Chromium (what a person sees).

tests/settings.py installs the toolbar for the whole run, shown only to requests with the
TOOLBAR_COOKIE, so the other tests never see it.
"""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import Client
from django.urls import path

from analytix_frontend import debug_toolbar as panel_module
from analytix_frontend.debug_toolbar import AnalytixPanel
from analytix_frontend.server import record_kissmetrics_event, update_hubspot_contact
from tests.urls import urlpatterns as test_urlpatterns

PANEL = AnalytixPanel.panel_id
QUEUED: list[dict[str, Any]] = []


def keep_call(call: dict[str, Any]) -> None:
    """A SERVER["DISPATCH"] that keeps the calls instead of sending them."""
    QUEUED.append(call)


def signup_with_server_call(request: HttpRequest) -> HttpResponse:
    record_kissmetrics_event("visitor@example.com", "Signed Up", request=request)
    return render(request, "tests/page.html", {"area": "signup"})


def contact_update(request: HttpRequest) -> HttpResponse:
    update_hubspot_contact("Visitor+1@Example.com", {"plan": "pro"}, request=request)
    return render(request, "tests/page.html", {"area": "signup"})


urlpatterns = [
    *test_urlpatterns,
    path("server-call/", signup_with_server_call),
    path("contact-update/", contact_update),
]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


def toolbar_client(**headers: str) -> Client:
    client = Client(headers=headers)
    client.cookies[django_settings.TOOLBAR_COOKIE] = "on"
    return client


def panel_html(client: Client, response: HttpResponse) -> str:
    """The panel's content, fetched back from the toolbar's store as its own JS does."""
    match = re.search(r'data-request-id="([0-9a-f]+)"', response.content.decode())
    assert match, "the toolbar is not on the page"
    answer = client.get(
        "/__debug__/render_panel/", {"request_id": match.group(1), "panel_id": PANEL}
    )
    assert answer.status_code == 200
    return str(json.loads(answer.content)["content"])


def text(html: str) -> str:
    """What a person reads: tags dropped, entities decoded, white space folded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_toolbar_stays_off_without_the_cookie(client: Client) -> None:
    response = client.get("/page/signup/")
    assert b"djDebug" not in response.content
    assert "Server-Timing" not in response


def test_panel_shows_each_service_decision_with_reason_and_detail(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "warning", "AREAS": {"signup": ["google", "drift"]}}
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "FULLSTORY_ID": ""}
    client = toolbar_client()
    response = client.get("/page/signup/")
    shown = text(panel_html(client, response))
    assert "Area signup" in shown
    assert "Google Analytics google on" in shown
    assert "Drift drift on" in shown
    assert "HubSpot hubspot off area area 'signup' does not list it" in shown
    assert "FullStory fullstory off no id ANALYTICS_IDS['FULLSTORY_ID'] is not set" in shown
    assert "/static/analytix/js/analytix.min.js" in shown  # the script written
    assert "/static/analytix/js/main.min.js" in shown  # and the main script it loads


def test_panel_lists_each_main_script_file_on_its_own(settings: Any) -> None:
    settings.DEBUG = True  # the readable files: a dozen URLs
    client = toolbar_client()
    html = panel_html(client, client.get("/page/signup/"))
    listed = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert sum(url.endswith("/boot.js") or "/vendors/" in url for url in listed) == 8
    assert "</code>, <code>" not in html  # no commas between URLs


def test_panel_shows_request_rules_consent_and_gpc(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    client = toolbar_client(sec_gpc="1")
    client.cookies["analytix_consent"] = "functional"
    shown = text(panel_html(client, client.get("/page/signup/")))
    assert "Consent required; cookie analytix_consent set; granted: functional" in shown
    assert "Sec-GPC: 1 sent; turns off: analytics, marketing" in shown
    assert "Google Analytics off: the browser sent Global Privacy Control" in shown
    assert "Drift drift on" in shown  # functional, consented, not a GPC category


def test_panel_names_the_internal_rule_and_the_failed_condition(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONDITIONS": {"drift": "tests.conditions.raises"}}
    client = toolbar_client()
    shown = text(panel_html(client, client.get("/page/signup/")))
    assert "Conditions Drift off: its condition in ANALYTICS_CONFIG['CONDITIONS'] failed" in shown
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"IPS": ["127.0.0.0/8"]}}
    shown = text(panel_html(client, client.get("/page/signup/")))
    assert "Internal traffic yes: internal traffic" in shown
    assert "Internal traffic no" not in shown


def test_panel_shows_identity_keys_never_values(settings: Any, django_user_model: Any) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": {"TRAITS": ["email"]}}
    user = django_user_model.objects.create_user("ann", email="ann@example.com")
    client = toolbar_client()
    client.force_login(user)
    response = client.get("/page/signup/")
    assert b"ann@example.com" in response.content  # the page itself has the trait...
    html = panel_html(client, response)
    assert "<code>id</code>, <code>traits.email</code>" in html
    assert "ann@example.com" not in html  # ...the panel only its name


def test_panel_shows_the_nonce_and_where_it_came_from() -> None:
    client = toolbar_client()
    shown = text(panel_html(client, client.get("/events/signup/?csp=1")))
    assert "found: the csp_nonce template context variable" in shown
    shown = text(panel_html(client, client.get("/privacy/csp-strict/signup/")))
    assert "found: request.csp_nonce (django-csp)" in shown


def test_panel_lists_server_calls_queued_without_their_values(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {"DISPATCH": f"{__name__}.keep_call"}}
    QUEUED.clear()
    client = toolbar_client()
    html = panel_html(client, client.get("/server-call/"))
    assert QUEUED == []  # django_db's transaction never commits
    shown = text(html)
    # In the test's transaction (django_db), the call waits for a commit that never comes.
    assert "Kissmetrics event GET https://trk.kissmetrics.io/e" in shown
    assert "_d, _k, _n, _p, _t" in shown
    assert f"{__name__}.keep_call waiting for the transaction to commit" in shown
    assert "visitor@example.com" not in html
    assert settings.ANALYTICS_IDS["KISSMETRICS_KEY"] not in html


def test_an_email_in_a_calls_url_path_is_never_shown(settings: Any) -> None:
    """HubSpot's contact update names the contact by e-mail in its path: the panel shows
    the path with that segment redacted, as it leaves query values out."""
    settings.ANALYTICS_CONFIG = {"SERVER": {"DISPATCH": f"{__name__}.keep_call"}}
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "HUBSPOT_ACCESS_TOKEN": "pat-na1-secret"}
    client = toolbar_client()
    html = panel_html(client, client.get("/contact-update/"))
    shown = text(html)
    assert "HubSpot contact update PATCH" in shown
    assert "/crm/v3/objects/contacts/[personal data]" in shown
    assert "example.com" not in html.lower().replace("www.example.com", "")
    assert "Visitor" not in html and "pat-na1-secret" not in html


@pytest.mark.django_db(transaction=True)
def test_a_call_made_outside_a_transaction_shows_its_id_and_state(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {"DISPATCH": f"{__name__}.keep_call"}}
    client = toolbar_client()
    shown = text(panel_html(client, client.get("/server-call/")))
    [call] = QUEUED[-1:]  # handed to keep_call, which sends nothing: its record stays pending
    assert f"{__name__}.keep_call pending {call['id']}" in shown


def test_server_calls_outside_a_toolbar_request_are_not_kept(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {"DISPATCH": f"{__name__}.keep_call"}}
    client = toolbar_client()
    Client().get("/server-call/")  # no toolbar: nothing collects
    shown = text(panel_html(client, client.get("/page/signup/")))
    assert "Server-side calls queued none" in shown


def test_panel_counts_the_tracking_plans_violations_in_server_calls(
    settings: Any, tmp_path: Any
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("events:\n  sign_up: {}\n")
    settings.ANALYTICS_CONFIG = {"SERVER": {"DISPATCH": f"{__name__}.keep_call"}, "PLAN": plan}
    client = toolbar_client()
    response = client.get("/server-call/")  # tracks "Signed Up", which the plan lacks
    assert "signup: 6 on, 1 plan violation" in response.content.decode()
    shown = text(panel_html(client, response))
    assert "Tracking plan: 1 violation in server calls" in shown
    assert "Kissmetrics event 'Signed Up' the event is not in the plan sent (flag)" in shown


def test_render_time_goes_into_server_timing_and_the_nav_subtitle() -> None:
    client = toolbar_client()
    response = client.get("/page/signup/?twice=1")
    timing = response["Server-Timing"]
    assert re.search(r'AnalytixPanel_render;dur=[0-9.]+;desc="analytix tag"', timing), timing
    assert "signup: 6 on" in response.content.decode()  # the toolbar's side bar
    # Rendered twice: the second render wrote no script again, and both are timed.
    shown = text(panel_html(client, response))
    assert shown.count("Area signup") == 2
    assert "none (already on the page)" in shown


def test_stats_are_plain_json(settings: Any) -> None:
    """The history panel stores the stats: plain dicts, lists, str, bool and numbers only."""
    settings.ANALYTICS_CONFIG = {"CONSENT": True, "IDENTITY": True}
    client = toolbar_client(sec_gpc="1")
    client.get("/page/signup/")
    request = client.get("/page/signup/").wsgi_request
    stats = panel_module.panel_stats(request)
    assert json.loads(json.dumps(stats)) == stats  # the stdlib encoder: no custom types
    assert stats["areas"] == ["signup"]


def test_a_page_without_the_tag_says_so() -> None:
    client = toolbar_client()
    response = client.get("/__debug__/render_panel/", {"request_id": "x", "panel_id": PANEL})
    assert "isn't available anymore" in text(json.loads(response.content)["content"])
    stats = panel_module.panel_stats(object())
    assert stats["renders"] == [] and stats["rules"] is None


def test_run_checks_wants_the_app_installed(settings: Any) -> None:
    assert AnalytixPanel.run_checks() == []
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "analytix_frontend"]
    assert [m.id for m in AnalytixPanel.run_checks()] == ["analytix.E301"]


def test_the_panel_works_under_asgi(settings: Any) -> None:
    """Under ASGI the view runs in a thread of its own: the record and the server calls must
    still reach the panel (a context variable and the request, no thread-local)."""
    import asyncio

    from django.test import AsyncClient

    settings.ANALYTICS_CONFIG = {"SERVER": {"DISPATCH": f"{__name__}.keep_call"}}
    client = AsyncClient()
    client.cookies[django_settings.TOOLBAR_COOKIE] = "on"

    async def fetch() -> str:
        response = await client.get("/server-call/")
        match = re.search(r'data-request-id="([0-9a-f]+)"', response.content.decode())
        assert match
        answer = await client.get(
            "/__debug__/render_panel/", {"request_id": match.group(1), "panel_id": PANEL}
        )
        return str(json.loads(answer.content)["content"])

    shown = text(asyncio.run(fetch()))
    assert "Google Analytics google on" in shown
    assert "Kissmetrics event GET https://trk.kissmetrics.io/e" in shown


@pytest.mark.browser
def test_a_person_opens_the_panel_and_reads_why(
    open_page: Any, live_server: Any, settings: Any
) -> None:
    settings.ANALYTICS_CONFIG = {"AREAS": {"signup": ["google", "drift"]}, "LOG_LEVEL": "warning"}
    browser_page = open_page("block")
    browser_page.page.context.add_cookies(
        [{"name": django_settings.TOOLBAR_COOKIE, "value": "on", "url": live_server.url}]
    )
    browser_page.goto("/page/signup/")
    page = browser_page.page
    page.click(f"#djdt-{PANEL}")  # the panel's link in the toolbar's side bar
    content = page.locator(f"#{PANEL} .djdt-scroll")
    content.locator("table").first.wait_for()
    rows = content.locator("table").first.locator("tbody tr").all_inner_texts()
    rows = [re.sub(r"\s+", " ", row).strip() for row in rows]
    assert "Google Analytics google on" in rows
    assert "HubSpot hubspot off area area 'signup' does not list it" in rows
    assert "Area signup: " in re.sub(r"\s+", " ", content.inner_text()).replace(" :", ":")
    assert browser_page.errors == []
