"""The plan's system checks: nothing on a clean project; each kind of problem found, with
the file and line it comes from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.checks import CheckMessage

from analytix_frontend.checks.plan import check_plan
from analytix_frontend.plan import config as plan_config
from tests.plan.project import PLAN, SCRIPT, TEMPLATE, clean_files, use_project, write


@pytest.fixture
def project(tmp_path: Path, settings: Any) -> Path:
    write(tmp_path, clean_files())
    use_project(settings, tmp_path)
    return tmp_path


def found(root: Path) -> list[tuple[str, str]]:
    """(id, message with the project's path left out) of each check message."""
    messages: list[CheckMessage] = check_plan()
    return [(str(m.id), m.msg.replace(f"{root}/", "")) for m in messages]


def test_nothing_on_a_clean_project(project: Path) -> None:
    assert found(project) == []


def test_nothing_without_a_plan(settings: Any) -> None:
    assert "PLAN" not in settings.ANALYTICS_CONFIG
    assert check_plan() == []


def test_unplanned_events_in_templates_javascript_and_python(project: Path) -> None:
    write(
        project,
        {
            "templates/extra.html": '<p>\n<button data-analytix-event="Clicked Upgrade">x</button>',
            "static/js/more.js": "\n\nanalytix.service('hubspot').track('opened_chat');",
            "app/tasks.py": "from x import record_kissmetrics_event\n"
            "def f(p):\n    record_kissmetrics_event(p, event='Billed')\n",
        },
    )
    messages = found(project)
    assert [m[0] for m in messages] == ["analytix.W601"] * 3
    text = " | ".join(m[1] for m in messages)
    assert "templates/extra.html, line 2: this template tracks 'Clicked Upgrade'" in text
    assert "static/js/more.js, line 3: this script tracks 'opened_chat'" in text
    assert "app/tasks.py, line 3: this Python code tracks 'Billed'" in text


def test_planned_events_nothing_tracks(project: Path) -> None:
    (project / "static/js/page.js").write_text("// nothing tracked here any more\n")
    (project / "templates/signup.html").write_text("<p>no events</p>")
    messages = found(project)
    assert (
        "analytix.W602",
        "analytics_plan.yaml, line 2: planned event 'sign_up' is tracked "
        "nowhere in the templates, static JavaScript or Python.",
    ) in messages
    assert [m[1].split(":")[0] for m in messages if m[0] == "analytix.W602"] == [
        "analytics_plan.yaml, line 2",
        "analytics_plan.yaml, line 12",
    ]


def test_properties_the_plan_refuses_in_a_template_and_in_python(project: Path) -> None:
    write(
        project,
        {
            "templates/signup.html": TEMPLATE.replace('"method": "email"', '"method": "phone"'),
            "app/views.py": "from analytix_frontend.server import *\n"
            "record_kissmetrics_event(p, 'report_exported', {'fromat': 1})\n"
            "record_kissmetrics_event(p, 'sign_up', {'method': 'email'})\n"
            "set_kissmetrics_properties(p, {'Seats': 3, 'Plan': 'x'})\n"
            "update_hubspot_contact(p, {'plan_tier': 'pro', 'company_size': 3})\n",
        },
    )
    messages = found(project)
    assert [m[0] for m in messages] == [
        "analytix.W604",
        "analytix.W604",
        "analytix.W605",
        "analytix.W605",
    ]
    assert messages[0][1].startswith(
        "templates/signup.html, line 2: 'sign_up' is tracked with "
        "properties the plan refuses: method: 'phone' fails enum"
    )
    assert messages[1][1].startswith(
        "app/views.py, line 2: 'report_exported' is tracked with "
        "properties the plan refuses: fromat: not a property"
    )
    assert messages[2][1].startswith(
        "app/views.py, line 4: the kissmetrics contact property 'Plan'"
    )
    assert messages[3][1].startswith(
        "app/views.py, line 5: the hubspot contact property 'company_size'"
    )


def test_names_a_vendor_would_drop_or_misread(project: Path) -> None:
    plan = (
        PLAN.replace("google: sign_up", "google: Sign Up!")
        .replace("CompleteRegistration", "complete_registration")
        .replace("plan: {type: string, enum: [free, pro]}", "ga_plan: {type: string}")
        .replace("Seats: {type: integer}", "_seats: {type: integer}")
    )
    (project / "analytics_plan.yaml").write_text(plan)
    (project / "templates/signup.html").write_text(TEMPLATE.replace('"plan"', '"ga_plan"'))
    (project / "static/js/page.js").write_text(SCRIPT.replace("plan:", "ga_plan:"))
    (project / "app/views.py").write_text("")
    messages = [m for m in found(project) if m[0] == "analytix.W603"]
    text = "\n".join(m[1] for m in messages)
    assert (
        "analytics_plan.yaml, line 2: planned event 'sign_up': GA4 event name 'Sign Up!' "
        "must be letters, digits and underscores, starting with a letter; analytix sends it "
        "as 'sign_up'" in text
    )
    assert (
        "line 2: planned event 'sign_up': Meta event 'complete_registration' is sent as a "
        "custom event: the standard event is 'CompleteRegistration'" in text
    )
    assert (
        "line 12: planned event 'clicked_deploy': GA4 parameter name 'ga_plan' uses a "
        "reserved prefix" in text
    )
    assert "line 26: Kissmetrics property '_seats' starts with '_'" in text


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("session_start", "is reserved"),
        ("a" * 41, "41 characters"),
        ("firebase_x", "reserved prefix"),
    ],
)
def test_ga4_rules(project: Path, name: str, problem: str) -> None:
    (project / "analytics_plan.yaml").write_text(PLAN.replace("google: sign_up", f"google: {name}"))
    [message] = [m for m in found(project) if m[0] == "analytix.W603"]
    assert problem in message[1]


def test_a_plan_that_does_not_parse_is_an_error_with_file_and_line(project: Path) -> None:
    (project / "analytics_plan.yaml").write_text(PLAN.replace("owner: growth\n", "owner: [\n", 1))
    [(check_id, message)] = found(project)
    assert check_id == "analytix.E601"
    assert message.startswith("analytics_plan.yaml, line 6: tracking plan: not valid YAML: ")
    assert "(while parsing a flow sequence, from line 4)" in message


def test_an_unknown_vendor_is_an_error_with_file_and_line(project: Path) -> None:
    (project / "analytics_plan.yaml").write_text(PLAN.replace("facebook_pixel:", "facebook:"))
    [(check_id, message)] = found(project)
    assert (check_id, message.split(":")[0]) == ("analytix.E602", "analytics_plan.yaml, line 11")
    assert "unknown vendor 'facebook'" in message


def test_an_unknown_area_and_a_bad_policy(project: Path, settings: Any) -> None:
    (project / "analytics_plan.yaml").write_text(PLAN.replace("[signup]", "[sigup]"))
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "PLAN_POLICY": "drop"}
    ids = [m[0] for m in found(project)]
    assert ids == ["analytix.E604", "analytix.W607"]


def test_missing_dependencies_are_one_clear_error(project: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(plan_config, "dependencies_missing", lambda: ["PyYAML"])
    from analytix_frontend.checks import plan as checks

    monkeypatch.setattr(checks, "dependencies_missing", lambda: ["PyYAML"])
    [(check_id, message)] = found(project)
    assert check_id == "analytix.E603" and "PyYAML is not installed" in message


def test_the_scan_reads_a_changed_file_again(project: Path) -> None:
    assert found(project) == []
    (project / "static/js/page.js").write_text('analytix.track("renamed_deploy");\n' * 2)
    ids = [m[0] for m in found(project)]
    assert ids.count("analytix.W601") == 2


def test_a_vendor_name_hint_names_that_vendor_and_the_event(project: Path) -> None:
    """The hint for an event's name that HubSpot rewrites says `hubspot: ...` (the vendor
    concerned), not GA4's example, and asks to rename the event, not "the property"."""
    plan = PLAN.replace("  clicked_deploy:\n", "  Clicked Deploy:\n")
    (project / "analytics_plan.yaml").write_text(plan)
    [warning] = [
        m
        for m in check_plan()
        if m.id == "analytix.W603" and "HubSpot custom event name 'Clicked Deploy'" in m.msg
    ]
    assert warning.hint is not None
    assert "`hubspot: clicked_deploy`" in warning.hint
    assert "rename the property" not in warning.hint
