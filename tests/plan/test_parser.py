"""The plan's parser: YAML or a dict into a Plan, each problem with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytix_frontend.plan.parser import PlanError, parse_plan_text, plan_from_dict, read_plan
from tests.plan.project import PLAN


def test_a_plan_reads_into_events_properties_vendors_and_contact_properties() -> None:
    plan = parse_plan_text(PLAN, "plan.yaml")
    sign_up = plan.events["sign_up"]
    assert sign_up.owner == "growth" and sign_up.areas == ("signup",)
    assert sign_up.vendor_name("facebook_pixel") == "CompleteRegistration"
    assert sign_up.vendor_name("kissmetrics") == "sign_up"
    assert [(p.name, p.required) for p in sign_up.properties] == [
        ("method", True),
        ("seats", False),
    ]
    assert sign_up.schema()["required"] == ["method"]
    assert str(sign_up.where) == "plan.yaml, line 2"
    assert str(sign_up.properties[1].where) == "plan.yaml, line 8"
    assert plan.contact("kissmetrics")["Seats"].type == "integer"
    assert str(plan.contact("hubspot")["plan_tier"].where) == "plan.yaml, line 24"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("events:\n  a: {properties: [1, 2}\n", 2, "not valid YAML"),
        ("events:\n  a:\n    vendors:\n      gogle: a\n", 4, "unknown vendor 'gogle'"),
        ("events:\n  a: {}\n  a: {}\n", 3, "'a' appears twice"),
        ("events:\n  a:\n    properties:\n      n: {type: text}\n", 4, "type 'text'"),
        ("events:\n  a:\n    colour: red\n", 3, "unknown key 'colour'"),
        ("events:\n  a:\n    properties:\n      n: {pattern: '('}\n", 4, "pattern"),
        ("contact_properties:\n  drift:\n    x: {}\n", 2, "unknown vendor 'drift'"),
        ("events: [a, b]\n", 1, "must be a mapping"),
    ],
)
def test_each_problem_names_the_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(PlanError) as raised:
        parse_plan_text(text, "plan.yaml")
    [(message, where)] = raised.value.problems
    assert words in message
    assert (where.file, where.line) == ("plan.yaml", line)


def test_a_dict_plan_reads_the_same_without_lines() -> None:
    plan = plan_from_dict({"events": {"x": {"vendors": {"google": "x_y"}}}})
    assert plan.events["x"].vendor_name("google") == "x_y"
    with pytest.raises(PlanError) as raised:
        plan_from_dict({"events": {"x": {"vendors": {"nope": "y"}}}})
    assert str(raised.value.problems[0][1]) == "ANALYTICS_CONFIG['PLAN']"


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot be read"):
        read_plan(tmp_path / "nope.yaml")
    with pytest.raises(PlanError, match="a path to a YAML file or a dict"):
        read_plan(42)
