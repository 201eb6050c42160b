from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from analytix_frontend.checks import check_config, check_ids, check_request_in_context


def ids_of(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


def test_the_test_settings_are_clean() -> None:
    assert check_ids() == [] and check_config() == []


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("GOOGLE_ANALYTICS_API_ID", "G-abc'</script>"),
        ("HUBSPOT_API_ID", "12ab"),
        ("DRIFT_ID", "abc\u2028xyz789"),
        ("FULLSTORY_ID", 'o-1ABCDE-na1"><!--'),
        ("FACEBOOK_PIXEL_ID", "1234"),
        ("KISSMETRICS_KEY", "0123456789abcdef"),
    ],
)
def test_an_invalid_id_is_an_error_naming_the_setting(
    settings: Any, setting: str, value: str
) -> None:
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, setting: value}
    errors = check_ids()
    assert ids_of(errors) == ["analytix.E002"]
    assert setting in errors[0].msg and errors[0].hint


def test_universal_analytics_id_has_its_own_error(settings: Any) -> None:
    settings.ANALYTICS_IDS = {"GOOGLE_ANALYTICS_API_ID": "UA-12345-1"}
    errors = check_ids()
    assert ids_of(errors) == ["analytix.E003"]
    assert "G-" in errors[0].hint


def test_blank_or_missing_ids_are_fine(settings: Any) -> None:
    settings.ANALYTICS_IDS = {"GOOGLE_ANALYTICS_API_ID": "", "HUBSPOT_API_ID": None}
    assert check_ids() == []


def test_ids_must_be_a_dict(settings: Any) -> None:
    settings.ANALYTICS_IDS = ["G-ABC123DEF4"]
    assert ids_of(check_ids()) == ["analytix.E001"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"LOG_LEVEL": "loud"}, ["analytix.E005"]),
        ({"DEBUG": "yes"}, ["analytix.E006"]),
        ({"ENVIRONMENTS": "production"}, ["analytix.E007"]),
        ({"AREAS": ["signup"]}, ["analytix.E008"]),
        ({"AREAS": {"signup": "google"}}, ["analytix.E008"]),
        ({"AREAS": {"signup": ["google", "mixpanel"]}}, ["analytix.E009"]),
        ({"AREAS": {"signup": [["google"], {"x": 1}]}}, ["analytix.E009", "analytix.E009"]),
        ({"LOG_LVL": "verbose"}, ["analytix.W001"]),
        ("verbose", ["analytix.E004"]),
    ],
)
def test_config_mistakes(settings: Any, config: Any, expected: list[str]) -> None:
    settings.ANALYTICS_CONFIG = config
    assert ids_of(check_config()) == expected


def test_manage_py_check_fails_on_an_error(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"AREAS": {"signup": ["mixpanel"]}}
    with pytest.raises(SystemCheckError, match=r"analytix\.E009"):
        call_command("check")


def test_bad_settings_never_break_rendering(settings: Any) -> None:
    from django.template import Context, Template

    settings.ANALYTICS_IDS = "nonsense"
    settings.ANALYTICS_CONFIG = {"AREAS": {"default": "google"}, "LOG_LEVEL": 3, "ENVIRONMENTS": 7}
    from tests.html import page_config

    html = Template("{% load analytix %}{% analytics_scripts %}").render(Context())
    config = page_config(html)
    assert config["logLevel"] == "warning"
    assert {s["reason"] for s in config["services"]} == {"no id"}


def test_a_django_backend_without_the_request_in_context_is_a_warning(settings: Any) -> None:
    assert check_request_in_context() == []  # the test settings have it
    backend = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**backend, "OPTIONS": {"context_processors": []}}]
    messages = check_request_in_context()
    assert ids_of(messages) == ["analytix.W002"]
    assert "context_processors.request" in messages[0].hint
    jinja2 = {"BACKEND": "django.template.backends.jinja2.Jinja2", "OPTIONS": {}}
    settings.TEMPLATES = [jinja2]  # Django's Jinja2 backend passes the request itself
    assert check_request_in_context() == []
