"""analytix_frontend.testing: decisions read from a Django test response, and the recording
vendor fakes with the opt-in pytest plugin, used against this project's own pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.test import Client, RequestFactory

from analytix_frontend.decide.services import DEFAULT_AREAS
from analytix_frontend.testing import (
    Decision,
    assert_service_loads,
    assert_service_off,
    assert_service_waits,
    page_configs,
    page_decisions,
)
from analytix_frontend.testing.browser import Event, Identify, route_vendor_fakes

# --- decisions from a test response ----------------------------------------------------------


def test_page_decisions_say_which_services_run_and_why(client: Client, settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "LOG_LEVEL": "debug"}
    decisions = page_decisions(client.get("/page/default/"))
    assert [name for name, d in decisions.items() if d.on] == list(DEFAULT_AREAS["default"])
    assert decisions["drift"] == Decision(
        name="drift",
        label="Drift",
        on=False,
        reason="area",
        detail="area 'default' does not list it",
        waiting=False,
    )
    assert decisions["google"].reason == ""


def test_assert_service_loads_explains_a_service_that_does_not(client: Client) -> None:
    response = client.get("/page/default/")
    assert_service_loads(response, "google")
    with pytest.raises(AssertionError) as failure:
        assert_service_loads(response, "drift")
    message = str(failure.value)
    assert message.startswith("drift is off: area, expected it to load\n")
    assert "on this page: google, hubspot, kissmetrics" in message


def test_assert_service_off_and_waits_for_consent(client: Client, settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}
    client.cookies["analytix_consent"] = "functional"
    response = client.get("/page/signup/")
    assert_service_loads(response, "drift")  # functional: consented
    assert_service_waits(response, "fullstory")
    assert_service_off(response, "fullstory", reason="consent")
    with pytest.raises(
        AssertionError, match=r"fullstory waits for consent: consent, expected it off for 'area'"
    ):
        assert_service_off(response, "fullstory", reason="area")
    with pytest.raises(AssertionError, match="drift loads, expected it to wait for consent"):
        assert_service_waits(response, "drift")
    with pytest.raises(AssertionError, match="drift loads, expected it off"):
        assert_service_off(response, "drift")


def test_gpc_and_internal_reasons_read_from_the_response(client: Client, settings: Any) -> None:
    response = client.get("/page/signup/", headers={"sec-gpc": "1"})
    assert_service_off(response, "google", reason="privacy")
    assert_service_loads(response, "drift")
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "INTERNAL": {"IPS": ["127.0.0.0/8"]}}
    assert_service_off(client.get("/page/signup/"), "drift", reason="internal")


def test_two_tags_on_a_page_run_the_union_as_the_browser_does() -> None:
    request = RequestFactory().get("/")
    html = Template(
        "{% load analytix %}{% analytics_scripts 'default' %}{% analytics_scripts 'signup' %}"
    ).render(Context({"request": request}))
    assert len(page_configs(html)) == 2
    assert_service_loads(html, "facebook_pixel")  # only the second tag runs it
    assert_service_loads(html, "google")


def test_unknown_service_and_missing_tag_are_clear_errors(client: Client) -> None:
    with pytest.raises(ValueError, match="unknown service 'fullstroy'; the services are google"):
        assert_service_loads(client.get("/page/default/"), "fullstroy")
    with pytest.raises(AssertionError, match=r"no analytix config block on this page"):
        page_decisions(b"<html><body>no tag</body></html>")
    with pytest.raises(TypeError, match="expected a Django test response"):
        page_decisions(42)


# --- recording fakes in Chromium ----------------------------------------------------------


def closed_network(live_server: Any) -> Any:
    """A route: the live server's own requests go through, anything else is aborted."""

    def route(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            route.abort()

    return route


@pytest.mark.browser
def test_fakes_tell_which_services_loaded_and_what_they_received(
    open_page: Any, analytix_fake_vendors: Any
) -> None:
    browser_page = open_page("block")  # anything not a vendor script: aborted
    vendors = analytix_fake_vendors(browser_page.page)
    browser_page.goto("/events/signup/")
    vendors.wait_for_loaded(*DEFAULT_AREAS["signup"])
    assert vendors.loaded() == set(DEFAULT_AREAS["signup"])
    browser_page.page.evaluate("window.analytix.track('Chose Plan', {plan: 'pro'})")
    browser_page.page.wait_for_function(
        "() => (sessionStorage.getItem('analytix.fakeVendorCalls') || '').includes('Chose')"
    )
    assert Event("Chose Plan", {"plan": "pro"}) in vendors.events("kissmetrics")
    assert Event("chose_plan", {"plan": "pro"}) in vendors.events("google")
    assert Event("Chose Plan", {"plan": "pro"}) in vendors.events("fullstory")
    assert Event("PageView", {}) in vendors.events("facebook_pixel")  # the loader's own
    assert vendors.identify_calls("drift") == []  # identity is off
    assert browser_page.errors == []


@pytest.mark.browser
def test_wait_for_loaded_waits_until_the_fakes_have_run(open_page: Any) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    browser_page = open_page("block")
    vendors = route_vendor_fakes(browser_page.page, hold=True)  # no answer until release()
    # Not "load": the held vendor scripts, requested before it, hold it back too.
    browser_page.goto("/events/default/", wait_until="domcontentloaded")
    with pytest.raises(PlaywrightTimeoutError):
        vendors.wait_for_loaded("google", timeout=500)  # held: it can never have run
    assert vendors.loaded() == set()
    vendors.release()
    vendors.wait_for_loaded(*DEFAULT_AREAS["default"])
    assert vendors.loaded() == set(DEFAULT_AREAS["default"])


@pytest.mark.browser
def test_a_blocked_service_never_loads(open_page: Any, analytix_fake_vendors: Any) -> None:
    browser_page = open_page("block")
    vendors = analytix_fake_vendors(browser_page.page, blocked={"hubspot"})
    browser_page.goto("/events/default/")
    vendors.wait_for_loaded("google", "kissmetrics")
    browser_page.page.wait_for_function("() => window.analytix.services.hubspot.state === 'failed'")
    assert vendors.loaded() == {"google", "kissmetrics"}
    assert any("js.hs-scripts.com" in url for url in vendors.requests)
    assert vendors.calls("hubspot") == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_identify_calls_per_service_on_a_context(
    browser: Any, live_server: Any, settings: Any, django_user_model: Any
) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "IDENTITY": {"TRAITS": ["email"]}}
    user = django_user_model.objects.create_user("ann", email="ann@example.com")
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    try:
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        context.route("**/*", closed_network(live_server))
        vendors = route_vendor_fakes(context)  # on the context: every page of it
        page = context.new_page()
        page.goto(live_server.url + "/events/signup/")
        vendors.wait_for_loaded("drift", "hubspot")
        identity = Identify(str(user.pk), {"email": "ann@example.com"})
        for service in ("google", "hubspot", "kissmetrics", "drift", "fullstory"):
            assert vendors.identify_calls(service) == [identity], service
        assert vendors.identify_calls("facebook_pixel") == []  # the Pixel has no identify
        vendors.clear()
        assert vendors.calls() == []
    finally:
        context.close()


# A stand-in for pytest-playwright's `page` fixture, which the plugin's analytix_vendors uses.
@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context()
    context.route("**/*", closed_network(live_server))
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_analytix_vendors_uses_the_page_fixture(
    page: Any, analytix_vendors: Any, live_server: Any
) -> None:
    page.goto(live_server.url + "/events/default/")
    analytix_vendors.wait_for_loaded(*DEFAULT_AREAS["default"])
    assert analytix_vendors.loaded() == set(DEFAULT_AREAS["default"])


# Each vendor's stub as its snippet makes it, holding calls made before its library arrives;
# then the library (a recording fake) from the vendor's host.
VENDOR_STUBS = """() => {
  window.dataLayer = [["config", "G-NOVIEW1", {send_page_view: false}], ["event", "signup"]];
  window._hsq = [["identify", {email: "ann@example.com"}]];
  window._kmq = [["record", "Signed Up"]];
  var fbq = window.fbq = function () { fbq.queue.push(arguments); };
  fbq.queue = [["init", "123"], ["track", "Lead"]];
  [
    "https://www.googletagmanager.com/gtag/js?id=G-NOVIEW1",
    "https://js.hs-scripts.com/1234567.js",
    "https://i.kissmetrics.io/i.js",
    "https://scripts.kissmetrics.io/key.2.js",
    "https://connect.facebook.net/en_US/fbevents.js",
  ].forEach(function (src) {
    var script = document.createElement("script");
    script.src = src;
    document.head.appendChild(script);
  });
}"""


@pytest.mark.browser
def test_the_fakes_count_page_views_where_each_vendor_does(open_page: Any) -> None:
    browser_page = open_page("block")
    vendors = route_vendor_fakes(browser_page.page)
    browser_page.goto("/privacy/plain/nowhere/")  # an unknown area: the tag loads nothing
    page = browser_page.page
    page.evaluate(VENDOR_STUBS)
    vendors.wait_for_loaded("google", "hubspot", "kissmetrics", "facebook_pixel")
    # Loaded: HubSpot's and Kissmetrics' libraries count the visit as they start (Kissmetrics
    # once for its two scripts); gtag.js not for a "config" with send_page_view false, nor Meta
    # for another event. (The scripts load in parallel: in any order.)
    assert sorted(view.service for view in vendors.page_views()) == ["hubspot", "kissmetrics"]
    assert all(view.url == "/privacy/plain/nowhere/" for view in vendors.page_views())
    assert "hubspotutk" in {cookie["name"] for cookie in page.context.cookies()}
    page.evaluate(
        """() => {
          window.dataLayer.push(["config", "G-VIEW2"]);
          window.dataLayer.push(["event", "page_view"]);
          window._hsq.push(["trackPageView"]);
          window.fbq.callMethod("track", "PageView");
          window._kmq.push(["record", "Viewed pricing"]);
        }"""
    )
    counted = [view.service for view in vendors.page_views()]
    assert sorted(counted) == sorted(
        ["hubspot", "kissmetrics", "google", "google", "hubspot", "facebook_pixel"]
    )
    vendors.wait_for_page_views("google", "hubspot", "kissmetrics", "facebook_pixel")
    vendors.clear()
    assert vendors.page_views() == [] and vendors.calls() == []
    assert browser_page.errors == []
