"""`manage.py analytix_plan`: check (exit status, --remote against a fake HubSpot), export
(round trips), types (--check)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from analytix_frontend.plan.export import (
    plan_dict_from_csv,
    plan_dict_from_jsonschema,
    plan_to_dict,
)
from analytix_frontend.plan.parser import parse_plan_text, plan_from_dict
from tests.plan.project import PLAN, clean_files, use_project, write
from tests.server.conftest import TOKEN
from tests.server.fake_vendor import Answer, FakeVendor


@pytest.fixture
def project(tmp_path: Path, settings: Any) -> Path:
    write(tmp_path, clean_files())
    use_project(settings, tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("analytix_plan", *args, stdout=out)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_check_passes_on_a_clean_project(project: Path) -> None:
    status, out = run("check")
    assert status == 0
    assert out.strip() == "3 of 3 planned events seen in code; 0 finding(s)."


def test_check_fails_with_each_finding_and_its_file_and_line(project: Path) -> None:
    (project / "static/js/page.js").write_text('\nanalytix.track("Clicked Deploy");\n')
    status, out = run("check")
    assert status == 1
    assert (
        f"analytix.W601: {project}/static/js/page.js, line 2: this script tracks "
        "'Clicked Deploy'" in out
    )
    assert "3 of 3 planned events seen in code; 1 finding(s)." in out


def test_without_a_plan_the_command_says_so(settings: Any) -> None:
    with pytest.raises(CommandError, match="PLAN'] is not set"):
        call_command("analytix_plan", "check")


@pytest.mark.parametrize(
    ("fmt", "read_back"), [("csv", plan_dict_from_csv), ("jsonschema", plan_dict_from_jsonschema)]
)
def test_export_reads_back_into_the_same_plan(project: Path, fmt: str, read_back: Any) -> None:
    plan = parse_plan_text(PLAN.replace("[signup]", "[signup, prelogin]"), "p.yaml")
    (project / "analytics_plan.yaml").write_text(PLAN.replace("[signup]", "[signup, prelogin]"))
    status, out = run("export", "--format", fmt)
    assert status == 0
    assert plan_to_dict(plan_from_dict(read_back(out))) == plan_to_dict(plan)
    assert plan_to_dict(plan)["events"]["sign_up"]["areas"] == ["signup", "prelogin"]


def test_the_csv_has_a_spreadsheets_columns(project: Path) -> None:
    _, out = run("export", "--format", "csv")
    header, first = out.splitlines()[:2]
    assert header.startswith(
        "Event Type,Event Name,Event Description,Property Name,"
        "Property Description,Property Type,Required,Allowed Values,Owner"
    )
    assert first == (
        "Track,sign_up,A visitor created an account.,method,,string,true,"
        "email | google,growth,,signup,google=sign_up; "
        "facebook_pixel=CompleteRegistration,"
    )


def test_the_jsonschema_validates_what_the_plan_allows(project: Path) -> None:
    from jsonschema import Draft202012Validator

    _, out = run("export", "--format", "jsonschema")
    schema = json.loads(out)["$defs"]["sign_up"]
    assert Draft202012Validator(schema).is_valid({"method": "email", "seats": 2})
    assert not Draft202012Validator(schema).is_valid({"method": "phone"})
    assert not Draft202012Validator(schema).is_valid({"seats": 2})


def test_html_and_md_show_areas_and_vendors_escaped(project: Path) -> None:
    (project / "analytics_plan.yaml").write_text(
        PLAN.replace("A visitor created an account.", "<script>alert(1)</script> & co")
    )
    _, html = run("export", "--format", "html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<dt>Areas</dt><dd>signup</dd>" in html
    assert "<li>facebook_pixel: <code>CompleteRegistration</code></li>" in html
    _, md = run("export", "--format", "md")
    assert "- Vendor names: google: `sign_up`, facebook_pixel: `CompleteRegistration`" in md
    assert "| `method` | string | yes | one of `email`, `google` |  |" in md


def test_types_are_written_then_checked(project: Path) -> None:
    status, out = run("types")
    ts, py = project / "analytics_plan.d.ts", project / "analytics_plan_types.py"
    assert status == 0 and ts.exists() and py.exists()
    assert '"sign_up": { "method": "email" | "google"; "seats"?: number };' in ts.read_text()
    namespace: dict[str, Any] = {}
    exec(compile(py.read_text(), str(py), "exec"), namespace)
    assert namespace["SignUpProperties"].__required_keys__ == {"method"}
    assert namespace["PLANNED_EVENTS"]["sign_up"] is namespace["SignUpProperties"]
    assert run("types", "--check")[0] == 0
    (project / "analytics_plan.yaml").write_text(PLAN.replace("seats:", "users:"))
    status, out = run("types", "--check")
    assert status == 1 and "analytics_plan.d.ts is stale" in out
    assert "users" not in ts.read_text()  # --check writes nothing


@pytest.fixture
def hubspot(settings: Any) -> Any:
    fake = FakeVendor()
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "HUBSPOT_ACCESS_TOKEN": TOKEN}
    yield fake
    fake.release()
    fake.close()


def test_remote_reports_what_the_portal_lacks_or_types_differently(
    project: Path, settings: Any, hubspot: FakeVendor
) -> None:
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "SERVER": {"HUBSPOT_API_URL": hubspot.url},
    }
    (project / "analytics_plan.yaml").write_text(
        PLAN.replace(
            "plan_tier: {type: string, owner: growth}",
            "plan_tier: {type: string}\n    seats_bought: {type: integer}",
        )
    )
    (project / "app/views.py").write_text(
        "update_hubspot_contact(e, {'plan_tier': 1, 'company_size': 2, 'email': 'x'})\n"
    )
    portal = {
        "results": [
            {"name": "plan_tier", "type": "string"},
            {"name": "seats_bought", "type": "string"},
            {"name": "email", "type": "string"},
        ]
    }
    hubspot.answer(Answer(body=json.dumps(portal)))
    status, out = run("check", "--remote")
    assert status == 1
    [request] = hubspot.received
    assert (request.method, request.path) == ("GET", "/crm/v3/properties/contacts")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    lines = [line for line in out.splitlines() if line.startswith("HubSpot:")]
    assert lines == [
        f"HubSpot: {project}/analytics_plan.yaml, line 25: HubSpot contact property "
        "'seats_bought' is of type 'string' in the portal, 'integer' in the plan",
        f"HubSpot: {project}/app/views.py, line 1: this code sets the HubSpot contact property "
        "'company_size', which the portal lacks: HubSpot answers PROPERTY_DOESNT_EXIST",
        "HubSpot: 3 contact properties in the portal; 2 finding(s).",
    ]


def test_remote_without_a_token_or_with_a_refusal_fails_clearly(
    project: Path, settings: Any, hubspot: FakeVendor
) -> None:
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "SERVER": {"HUBSPOT_API_URL": hubspot.url},
    }
    hubspot.answer(Answer(status=403, body="{}"))
    status, out = run("check", "--remote")
    assert status == 1 and "HubSpot: HubSpot answered 403 (the token lacks" in out
    assert TOKEN not in out
    settings.ANALYTICS_IDS = {
        k: v for k, v in settings.ANALYTICS_IDS.items() if k != "HUBSPOT_ACCESS_TOKEN"
    }
    status, out = run("check", "--remote")
    assert status == 1 and "HUBSPOT_ACCESS_TOKEN'] is not set" in out
