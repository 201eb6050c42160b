"""The tracking plan at run time on the server: flag sends and reports, block drops and
reports, pass checks nothing; the plan's Kissmetrics name is applied; HubSpot's
PROPERTY_DOESNT_EXIST names the property and the plan, and is not retried."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from analytix_frontend.server import (
    record_kissmetrics_event,
    set_kissmetrics_properties,
    update_hubspot_contact,
)
from analytix_frontend.server.record import RequestRecord, _collecting
from tests.plan.project import PLAN
from tests.server.conftest import failures, sent
from tests.server.fake_vendor import Answer, FakeVendor

PLAN_LOGGER = "analytix_frontend.plan"


@pytest.fixture
def planned(server_settings: Any, tmp_path: Path) -> Any:
    path = tmp_path / "analytics_plan.yaml"
    path.write_text(
        PLAN.replace(
            "facebook_pixel: CompleteRegistration",
            "facebook_pixel: CompleteRegistration\n      kissmetrics: Signed Up",
        )
    )
    server_settings.ANALYTICS_CONFIG = {**server_settings.ANALYTICS_CONFIG, "PLAN": path}
    return server_settings


def policy(settings: Any, value: str) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "PLAN_POLICY": value}


def plan_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == PLAN_LOGGER]


def test_a_planned_event_goes_under_the_plans_kissmetrics_name(
    planned: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    record_kissmetrics_event("ada@example.com", "sign_up", {"method": "email", "seats": 2})
    [request] = sent(vendor)
    assert request.query["_n"] == "Signed Up"
    assert plan_lines(caplog) == []


@pytest.mark.parametrize("value", ["flag", "block"])
def test_an_invalid_event_is_reported_and_sent_or_dropped(
    planned: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    policy(planned, value)
    record = RequestRecord()
    token = _collecting.set(record)
    try:
        record_kissmetrics_event("ada@example.com", "sign_up", {"method": "sms@secret.example"})
        record_kissmetrics_event("ada@example.com", "Signed Up Twice")
    finally:
        _collecting.reset(token)
    names = sorted(r.query["_n"] for r in sent(vendor))
    outcome = "sent (PLAN_POLICY 'flag')" if value == "flag" else "dropped (PLAN_POLICY 'block')"
    assert names == (["Signed Up", "Signed Up Twice"] if value == "flag" else [])
    assert plan_lines(caplog) == [
        f"analytix plan: Kissmetrics event 'sign_up' {outcome}: method: fails enum; see "
        f"{planned.ANALYTICS_CONFIG['PLAN']}.",
        f"analytix plan: Kissmetrics event 'Signed Up Twice' {outcome}: the event is not in the "
        f"plan; see {planned.ANALYTICS_CONFIG['PLAN']}.",
    ]
    assert "sms@secret" not in caplog.text  # a value is never logged: it may be personal data
    assert [v["blocked"] for v in record.plan_violations] == [value == "block"] * 2


def test_pass_checks_nothing(
    planned: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    policy(planned, "pass")
    record_kissmetrics_event("ada@example.com", "Anything", {"at": "all"})
    set_kissmetrics_properties("ada@example.com", {"Unplanned": 1})
    assert len(sent(vendor)) == 2
    assert plan_lines(caplog) == []


def test_contact_properties_outside_the_plan_are_flagged_or_blocked(
    planned: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    set_kissmetrics_properties("ada@example.com", {"Seats": "many"})
    update_hubspot_contact("ada@example.com", {"plan_tier": "pro", "company_size": 3})
    policy(planned, "block")
    update_hubspot_contact("ada@example.com", {"company_size": 3})
    assert sorted(r.path for r in sent(vendor)) == [
        "/crm/v3/objects/contacts/ada@example.com",
        "/s",
    ]
    assert plan_lines(caplog) == [
        "analytix plan: Kissmetrics contact properties sent (PLAN_POLICY 'flag'): Seats: fails "
        f"type; see {planned.ANALYTICS_CONFIG['PLAN']}.",
        "analytix plan: HubSpot contact properties sent (PLAN_POLICY 'flag'): company_size: not "
        f"in the plan; see {planned.ANALYTICS_CONFIG['PLAN']}.",
        "analytix plan: HubSpot contact properties dropped (PLAN_POLICY 'block'): company_size: "
        f"not in the plan; see {planned.ANALYTICS_CONFIG['PLAN']}.",
    ]


HUBSPOT_400 = (
    '{"status":"error","message":"Property values were not valid: [{\\"isValid\\":false,'
    '\\"message\\":\\"Property \\\\\\"%s\\\\\\" does not exist\\",\\"error\\":'
    '\\"PROPERTY_DOESNT_EXIST\\",\\"name\\":\\"%s\\"}]","correlationId":"x",'
    '"category":"VALIDATION_ERROR"}'
)


@pytest.mark.parametrize(
    ("prop", "note"),
    [
        (
            "plan_tier",
            "'plan_tier', which the plan declares ({plan}, line 25): create it in the "
            "HubSpot portal",
        ),
        ("company_size", "'company_size', which the plan ({plan}) does not declare either"),
    ],
)
def test_property_doesnt_exist_names_the_property_and_the_plan_and_is_not_retried(
    planned: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture, prop: str, note: str
) -> None:
    policy(planned, "pass")  # HubSpot's own answer, whatever the run-time policy
    vendor.answer(Answer(400, body=HUBSPOT_400 % (prop, prop)))
    with caplog.at_level(logging.INFO):
        update_hubspot_contact("ada@example.com", {prop: "pro"})
        assert len(sent(vendor)) == 1  # final: no retry
    [line] = failures(caplog)
    plan = planned.ANALYTICS_CONFIG["PLAN"]
    assert line.startswith(
        "HubSpot contact update failed: answered 400; HubSpot has no contact property "
        + note.format(plan=plan)
        + " (PROPERTY_DOESNT_EXIST: final, not retried; `manage.py analytix_plan check "
        "--remote` finds these before deploy)"
    )
