from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command


def report(*args: str) -> str:
    out = StringIO()
    call_command("analytix_report", *args, stdout=out)
    return out.getvalue()


def rows(text: str) -> dict[str, list[str]]:
    """The table's rows, split on runs of two or more spaces."""
    import re

    table_text = text.split("\n\n")[0]  # the reasons follow after a blank line
    table = {}
    # The first lines state the settings, the request rules and the visitor.
    lines = table_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("area "))
    for line in lines[start:]:
        cells = re.split(r"\s{2,}", line.strip())
        table[cells[0]] = cells[1:]
    return table


def test_table_has_every_area_and_service() -> None:
    table = rows(report())
    assert table["area"] == [  # the console's names for them
        "Google Analytics",
        "HubSpot",
        "Kissmetrics",
        "Drift",
        "FullStory",
        "Meta Pixel",
    ]
    assert table["signup"] == ["on (ready)"] * 6  # tests/settings.py: every trigger "ready"
    assert table["default"] == [*["on (ready)"] * 3, "off: area", "off: area", "off: area"]


def test_why_fullstory_does_not_load_on_signup(settings: Any) -> None:
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "FULLSTORY_ID": "not-an-org"}
    text = report("--area", "signup")
    assert rows(text)["signup"][4] == "off: invalid id"
    assert (
        "FullStory: invalid id: ANALYTICS_IDS['FULLSTORY_ID'] is not a valid FullStory id" in text
    )


def test_runs_from_the_command_line_even_when_system_checks_fail(
    settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import execute_from_command_line

    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "DRIFT_ID": "Not Valid!"}
    execute_from_command_line(["manage.py", "analytix_report", "--area", "prelogin"])
    assert rows(capsys.readouterr().out)["prelogin"][3] == "off: invalid id"


def test_json_output(settings: Any) -> None:
    settings.SERVER_ENVIRONMENT = "staging"
    data = json.loads(report("--json", "--area", "default"))
    assert data["default"]["google"]["reason"] == "environment"
    assert data["default"]["google"]["on"] is False


def test_unknown_area_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="Unknown area"):
        report("--area", "nope")


def test_header_separates_djangos_debug_from_analytix_debug(settings: Any) -> None:
    settings.DEBUG = False
    settings.ANALYTICS_CONFIG = {"DEBUG": True}
    header = report("--area", "default").splitlines()[0]
    assert "Django settings.DEBUG=False" in header
    assert "ANALYTICS_CONFIG DEBUG=True: analytics run whatever SERVER_ENVIRONMENT is" in header
    settings.ANALYTICS_CONFIG = {}
    header = report("--area", "default").splitlines()[0]
    assert "DEBUG=False (default): analytics run only where SERVER_ENVIRONMENT is in" in header


def test_invalid_settings_show_as_written_with_the_fallback(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "verbos", "DEBUG": "yes"}
    text = report("--area", "default")
    assert "LOG_LEVEL='verbos' (invalid, using 'warning')" in text
    assert "DEBUG='yes' (invalid, using False)" in text


def test_consent_shows_as_waiting_and_a_consenting_visitor_as_on(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    # The default triggers: Google, HubSpot and Kissmetrics at idle (they count page views).
    waits = ["waits: consent (idle)"] * 3
    assert rows(report("--area", "default"))["default"][:3] == waits
    granted = rows(report("--area", "default", "--cookie", "analytix_consent=analytics"))
    assert granted["default"][:3] == ["on (idle)", waits[1], "on (idle)"]  # hubspot: marketing


def test_each_service_shows_its_trigger_for_the_area(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        "LOAD": {"google": "ready"},
        "LOAD_BY_AREA": {"signup": {"google": "interaction", "drift": "idle"}},
    }
    table = rows(report())
    assert table["default"][:3] == ["on (ready)", "on (idle)", "on (idle)"]
    assert table["signup"] == [
        "on (interaction)",
        "on (idle)",
        "on (idle)",
        "on (idle)",
        "on (interaction)",
        "on (idle)",
    ]
    assert table["prelogin"][3] == "on (facade)"


def test_described_visitor_meets_the_same_rules_as_the_page(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"IPS": ["10.0.0.0/8"]}}
    assert rows(report("--area", "default"))["default"][0] == "on (idle)"  # an outside address
    assert rows(report("--area", "default", "--ip", "10.1.2.3"))["default"][0] == "off: internal"
    gpc = rows(report("--area", "signup", "--gpc"))["signup"]
    assert gpc == ["off: privacy"] * 3 + ["on (facade)"] + ["off: privacy"] * 2  # drift: functional
    header = rows(report("--area", "signup", "--header", "Sec-GPC=1"))["signup"]
    assert header == gpc
    assert "internal: 10.0.0.0/8" in report("--area", "default")


@pytest.mark.django_db
def test_user_option_signs_in_a_real_user(settings: Any) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("alice")
    settings.ANALYTICS_CONFIG = {"CONDITIONS": {"google": "tests.conditions.anonymous_only"}}
    assert rows(report("--area", "default", "--user", "alice"))["default"][0] == "off: condition"
    with pytest.raises(CommandError, match="no user 'bob'"):
        report("--area", "default", "--user", "bob")


def delivery_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("first-party JS:"))


def test_names_the_js_delivery_and_whether_it_is_served(settings: Any, tmp_path: Any) -> None:
    settings.STATIC_ROOT = str(tmp_path)
    settings.DEBUG = True
    assert "the readable files" in delivery_line(report("--area", "default"))
    settings.DEBUG = False
    line = delivery_line(report("--area", "default"))
    assert "main.min.js (it loads): NOT collected: run `manage.py collectstatic`" in line
    call_command("collectstatic", interactive=False, verbosity=0)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "whitenoise.middleware.WhiteNoiseMiddleware"]
    line = delivery_line(report("--area", "default"))
    assert "collected, served by whitenoise" in line and "NOT" not in line


def test_rules_line_says_staff_and_previews(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"STAFF": True}, "EXCLUDE_PREVIEWS": False}
    rules = next(line for line in report("--area", "default").splitlines() if "rules:" in line)
    assert "staff count as internal" in rules and "previews tracked" in rules


def test_answers_with_debug_off_and_no_static_root(settings: Any) -> None:
    """A developer's machine or CI: DEBUG off, STATIC_ROOT unset. The report still answers,
    and says what it could not determine."""
    settings.DEBUG = False
    settings.STATIC_ROOT = None
    text = report("--area", "signup")
    assert "could not tell whether they are collected" in text
    assert "STATIC_ROOT" in text
    assert rows(text)["signup"][0].startswith("on")


def test_answers_with_a_manifest_storage_and_no_static_root(settings: Any) -> None:
    settings.DEBUG = False
    settings.STATIC_ROOT = None
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    text = report("--area", "signup")
    assert "first-party JS:" in text and rows(text)["signup"][0].startswith("on")
