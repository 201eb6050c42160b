from __future__ import annotations

import logging
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import Context, RequestContext, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.urls import path

from analytix_frontend.decide.services import DEFAULT_AREAS
from analytix_frontend.page.scripts import main_script_files
from tests.conftest import VENDOR_HOSTS
from tests.html import enabled_services, page_config, parse, scripts, site_paths


def render(source: str, **context: object) -> str:
    return Template("{% load analytix %}" + source).render(Context(context))


@pytest.mark.parametrize("area", sorted(DEFAULT_AREAS))
def test_each_default_area_enables_exactly_its_services(area: str) -> None:
    html = render(f'{{% analytics_scripts "{area}" %}}')
    assert sorted(enabled_services(html)) == sorted(DEFAULT_AREAS[area])


def test_no_argument_means_the_default_area() -> None:
    assert page_config(render("{% analytics_scripts %}"))["area"] == "default"


def test_area_from_a_variable() -> None:
    html = render("{% analytics_scripts page_area %}", page_area="signup")
    assert "facebook_pixel" in enabled_services(html)


def test_unknown_literal_area_in_production_renders_the_page_and_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # DEBUG off (production): a typo never fails the page; W003 finds it before deploy.
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        html = render('<p>page</p>{% analytics_scripts "nope" %}')
    assert html.startswith("<p>page</p>")
    config = page_config(html)
    assert enabled_services(html) == []
    assert config["unknownArea"] is True
    assert "unknown page area 'nope'" in caplog.text


def test_unknown_literal_area_in_development_fails_when_the_template_compiles(
    settings: object,
) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    with pytest.raises(TemplateSyntaxError, match="unknown page area 'nope'"):
        Template('{% load analytix %}{% analytics_scripts "nope" %}')
    with pytest.raises(TemplateSyntaxError, match=r"'sigunp'\. Did you mean 'signup'\?"):
        Template('{% load analytix %}{% analytics_scripts "sigunp" %}')
    Template('{% load analytix %}{% analytics_scripts "signup" %}')  # known: fine


def test_too_many_arguments_is_a_syntax_error() -> None:
    with pytest.raises(TemplateSyntaxError, match="at most one argument"):
        Template('{% load analytix %}{% analytics_scripts "a" "b" %}')


def test_unknown_area_from_a_variable_loads_nothing_and_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        html = render("{% analytics_scripts page_area %}", page_area="nope")
    config = page_config(html)
    assert enabled_services(html) == []
    assert {s["reason"] for s in config["services"]} == {"unknown area"}
    assert "unknown page area 'nope'" in caplog.text
    assert all(
        s.attrs.get("type") == "application/json" or "vendors" not in (s.attrs.get("src") or "")
        for s in scripts(html)
    )


@pytest.mark.parametrize(
    "setting, value",
    [("SERVER_ENVIRONMENT", "local"), ("ANALYTICS_IDS", {})],  # a developer's machine
)
def test_unknown_area_warns_whatever_each_service_says(
    settings: object, caplog: pytest.LogCaptureFixture, setting: str, value: object
) -> None:
    setattr(settings, setting, value)
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        config = page_config(render("{% analytics_scripts page_area %}", page_area="nope"))
    assert "unknown page area 'nope'" in caplog.text
    assert config["unknownArea"] is True  # boot.js warns in the console on this
    assert "unknownArea" not in page_config(render("{% analytics_scripts %}"))


def test_settings_changes_take_effect_at_once(settings: object) -> None:
    settings.ANALYTICS_CONFIG = {"AREAS": {"default": ["drift"]}}  # type: ignore[attr-defined]
    assert enabled_services(render("{% analytics_scripts %}")) == ["drift"]
    settings.ANALYTICS_IDS = {"DRIFT_ID": ""}  # type: ignore[attr-defined]
    html = render("{% analytics_scripts %}")
    assert enabled_services(html) == []
    drift = next(s for s in page_config(html)["services"] if s["name"] == "drift")
    assert drift["reason"] == "no id"


def test_off_environment_turns_everything_off_with_a_reason(settings: object) -> None:
    settings.SERVER_ENVIRONMENT = "staging"  # type: ignore[attr-defined]
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "debug"}  # type: ignore[attr-defined]
    config = page_config(render('{% analytics_scripts "signup" %}'))
    assert {s["reason"] for s in config["services"]} == {"environment"}
    assert all(s["id"] is None for s in config["services"])


def test_debug_runs_on_any_environment(settings: object) -> None:
    settings.SERVER_ENVIRONMENT = "local"  # type: ignore[attr-defined]
    settings.ANALYTICS_CONFIG = {"DEBUG": True}  # type: ignore[attr-defined]
    assert len(enabled_services(render('{% analytics_scripts "signup" %}'))) == 6


def test_log_level_off_with_nothing_on_still_gives_page_code_its_api(settings: object) -> None:
    # window.analytix.track() in page code must not throw where every service is off
    # (a GPC visitor, a staging server): the config and the first-party script stay.
    settings.SERVER_ENVIRONMENT = "staging"  # type: ignore[attr-defined]
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "off"}  # type: ignore[attr-defined]
    html = render('{% analytics_scripts "signup" %}')
    assert [s.attrs.get("src") for s in scripts(html)] == [
        None,
        "/static/analytix/js/analytix.min.js",
    ]
    assert enabled_services(html) == []


DEBUG_FILES = [
    "/static/analytix/js/logger.js",
    "/static/analytix/js/config.js",
    "/static/analytix/js/loader.js",
    "/static/analytix/js/triggers.js",
    "/static/analytix/js/consent-config.js",
    "/static/analytix/js/consent-cookie.js",
    "/static/analytix/js/vendor-cookies.js",
    "/static/analytix/js/consent-record.js",
    "/static/analytix/js/consent.js",
    "/static/analytix/js/consent-events.js",
    "/static/analytix/js/cmp-tcf.js",
    "/static/analytix/js/cmp-gcm.js",
    "/static/analytix/js/plan.js",
    "/static/analytix/js/events.js",
    "/static/analytix/js/vendors/google.js",
    "/static/analytix/js/vendors/hubspot.js",
    "/static/analytix/js/vendors/km.js",
    "/static/analytix/js/vendors/drift.js",
    "/static/analytix/js/vendors/fullstory.js",
    "/static/analytix/js/vendors/meta-pixel.js",
    "/static/analytix/js/vendors/drift-facade.js",
    "/static/analytix/js/boot.js",
]


def main_files(html: str) -> list[str]:
    """The main script's URLs on the page's one script tag (start.js loads them)."""
    (start,) = [s for s in scripts(html) if s.attrs.get("src")]
    return site_paths(str(start.attrs["data-analytix-main"]).split())


@pytest.mark.parametrize("environment", ["production", "staging"])  # some services on, none on
def test_in_debug_every_readable_file_in_the_minified_files_order(
    settings: object, environment: str
) -> None:
    # What main.min.js holds, file by file: every vendor loader before boot.js, whatever
    # the area, so a second tag with another area on the page needs no loader after boot.js.
    settings.DEBUG = True  # type: ignore[attr-defined]
    settings.SERVER_ENVIRONMENT = environment  # type: ignore[attr-defined]
    html = render("{% analytics_scripts %}")
    srcs = site_paths(s.attrs["src"] for s in scripts(html) if s.attrs.get("src"))
    assert srcs == ["/static/analytix/js/start.js"]
    assert main_files(html) == DEBUG_FILES == [f"/static/{path}" for path in main_script_files()]
    assert all("defer" in s.attrs for s in scripts(html) if s.attrs.get("src"))


def test_in_debug_two_areas_on_one_page_write_each_file_once_before_boot(
    settings: object,
) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    html = render(
        '{% analytics_scripts "default" %}{% analytics_scripts "signup" %}',
        request=RequestFactory().get("/"),
    )
    srcs = site_paths(s.attrs["src"] for s in scripts(html) if s.attrs.get("src"))
    assert srcs == ["/static/analytix/js/start.js"]
    assert main_files(html) == DEBUG_FILES
    configs = [s for s in scripts(html) if s.attrs.get("type") == "application/json"]
    assert len(configs) == 2


@pytest.mark.parametrize("area", sorted(DEFAULT_AREAS))
def test_without_debug_one_minified_file_serves_every_area(area: str) -> None:
    html = render(f'{{% analytics_scripts "{area}" %}}')
    srcs = site_paths(s.attrs["src"] for s in scripts(html) if s.attrs.get("src"))
    assert srcs == ["/static/analytix/js/analytix.min.js"]
    assert main_files(html) == ["/static/analytix/js/main.min.js"]
    assert all("defer" in s.attrs for s in scripts(html) if s.attrs.get("src"))


def test_the_minified_files_are_static_files() -> None:
    from django.contrib.staticfiles import finders

    assert finders.find("analytix/js/analytix.min.js")
    assert finders.find("analytix/js/main.min.js")


def test_config_leaves_out_what_the_browser_knows_or_never_prints(settings: object) -> None:
    # Labels, categories, default triggers and the default GPC categories are config.js's and
    # start.js's too (tests/test_attack_config.py keeps them equal): only the rest is written.
    def default_area(log_level: str, **config: object) -> dict[str, Any]:
        settings.ANALYTICS_CONFIG = {"LOG_LEVEL": log_level, **config}  # type: ignore[attr-defined]
        return page_config(render("{% analytics_scripts %}"))

    at_warning = default_area("warning")
    services = {s["name"]: s for s in at_warning["services"]}
    assert services["drift"] == {"name": "drift", "on": False, "id": None, "reason": "area"}
    assert services["google"] == {"name": "google", "on": True, "id": "G-ABC123DEF4"}
    assert "gpc" not in at_warning
    at_debug = {s["name"]: s for s in default_area("debug")["services"]}
    assert at_debug["drift"]["detail"] == "area 'default' does not list it"
    # Another trigger than the default, and other GPC categories, are written.
    other = default_area("warning", LOAD={"google": "ready"}, GPC=["analytics"])
    assert {s["name"]: s.get("load") for s in other["services"]}["google"] == "ready"
    assert other["gpc"] == ["analytics"]


def test_nonce_from_context_is_on_every_script() -> None:
    html = render('{% analytics_scripts "signup" %}', csp_nonce="abc123")
    found = scripts(html)
    assert len(found) >= 2  # the config block and the first-party script(s)
    assert {s.attrs.get("nonce") for s in found} == {"abc123"}


def test_nonce_from_django_csp_request_attribute() -> None:
    request = RequestFactory().get("/")
    request.csp_nonce = "n0nce"  # what django-csp's middleware sets
    html = render('{% analytics_scripts "signup" %}', request=request)
    assert {s.attrs.get("nonce") for s in scripts(html)} == {"n0nce"}


@pytest.mark.parametrize("debug", [True, False])
def test_rendering_twice_for_one_request_writes_the_scripts_once(
    settings: object, debug: bool
) -> None:
    settings.DEBUG = debug  # type: ignore[attr-defined]
    request = RequestFactory().get("/")
    html = render(
        '{% analytics_scripts "signup" %}{% analytics_scripts "signup" %}', request=request
    )
    srcs = site_paths(s.attrs["src"] for s in scripts(html) if s.attrs.get("src"))
    assert len(srcs) == 1


def test_rendering_twice_writes_the_pixel_image_once() -> None:
    request = RequestFactory().get("/")
    html = render(
        '{% analytics_scripts "signup" %}{% analytics_scripts "signup" %}', request=request
    )
    assert [e.tag for e in parse(html)].count("img") == 1


def test_meta_pixel_noscript_image_only_where_the_pixel_runs() -> None:
    def pixel_images(html: str) -> list[str]:
        return [e.attrs["src"] or "" for e in parse(html) if e.tag == "img"]

    assert pixel_images(render('{% analytics_scripts "signup" %}')) == [
        "https://www.facebook.com/tr?id=123456789012345&ev=PageView&noscript=1"
    ]
    assert pixel_images(render('{% analytics_scripts "prelogin" %}')) == []


HOSTILE = [
    '"></script><script>alert(1)</script>',
    "</script><!--",
    "G-ABC123DEF4\u2028alert(1)",
    "G-ABC\n123DEF4",
    "1234567' onload='x",
    "<!--<script>",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ids_never_reach_the_page(settings: object, value: str) -> None:
    settings.ANALYTICS_IDS = {  # type: ignore[attr-defined]
        s: value
        for s in (
            "GOOGLE_ANALYTICS_API_ID",
            "HUBSPOT_API_ID",
            "DRIFT_ID",
            "FULLSTORY_ID",
            "FACEBOOK_PIXEL_ID",
            "KISSMETRICS_KEY",
        )
    }
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "verbose"}  # type: ignore[attr-defined]
    html = render('{% analytics_scripts "signup" %}')
    assert [e.tag for e in parse(html)] == ["script"] * 2  # config + first-party file, no pixel
    config = page_config(html)
    assert {s["reason"] for s in config["services"]} == {"invalid id"}
    assert value not in html and value.strip() not in html


@pytest.mark.parametrize("area", ["</script><script>alert(1)</script>", "a\u2028b", "<!--"])
def test_hostile_area_names_stay_data(area: str) -> None:
    html = render("{% analytics_scripts page_area %}", page_area=area)
    assert [e.tag for e in parse(html)] == ["script"] * 2
    assert page_config(html)["area"] == area


# --- in the browser: two tags with different areas on one page ----------------------------

TWO_AREAS = (
    '{% load analytix %}<!doctype html><html><head><meta charset="utf-8">'
    '<link rel="icon" href="data:,">{% analytics_scripts "default" %}</head>'
    '<body><p>page</p>{% analytics_scripts "signup" %}</body></html>'
)


def two_areas_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(Template(TWO_AREAS).render(RequestContext(request)))


urlpatterns = [path("two-areas/", two_areas_page)]


@pytest.mark.browser
@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG-on", "DEBUG-off"])
def test_two_areas_on_one_page_start_the_union_with_debug_on_or_off(
    settings: object, open_page: Any, debug: bool
) -> None:
    settings.DEBUG = debug  # type: ignore[attr-defined]
    browser_page = open_page("fake")
    browser_page.goto("/two-areas/")
    union = set(DEFAULT_AREAS["default"]) | set(DEFAULT_AREAS["signup"])
    expected = {host for host, service in VENDOR_HOSTS.items() if service in union}
    browser_page.page.wait_for_function(
        "n => (window.__fakeVendorsRan || []).length >= n", arg=len(expected)
    )
    assert browser_page.requested_hosts() == expected
    states = browser_page.page.evaluate(
        "Object.fromEntries(Object.entries(window.analytix.services)"
        ".map(([name, s]) => [name, s.state]))"
    )
    assert states == dict.fromkeys(union, "loaded")
    assert not any("no loader" in line for line in browser_page.console_lines())
    assert browser_page.errors == []
