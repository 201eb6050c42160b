"""The server's validator against the table of cases the browser's is also held to
(tests/data/plan_cases.json, test/plan.test.mjs): both give each case the same problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analytix_frontend.plan.browser import compile_plan
from analytix_frontend.plan.parser import plan_from_dict
from analytix_frontend.plan.validate import event_problems

TABLE = json.loads((Path(__file__).parent.parent / "data" / "plan_cases.json").read_text())
PLAN = plan_from_dict(TABLE["plan"])


@pytest.mark.parametrize("case", TABLE["cases"], ids=lambda case: json.dumps(case)[:80])
def test_the_server_validator_gives_each_case_its_problems(case: dict[str, Any]) -> None:
    problems = [p.code for p in event_problems(PLAN, case["event"], case["properties"])]
    assert sorted(problems) == case["problems"]


def test_the_table_covers_every_keyword_and_both_outcomes() -> None:
    codes = {code.split(":")[0] for case in TABLE["cases"] for code in case["problems"]}
    assert codes == {
        "required",
        "enum",
        "type",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
        "unknown",
        "unplanned",
    }


def test_the_browser_gets_the_plan_it_checks_with() -> None:
    compiled = compile_plan(PLAN, "flag")
    assert compiled["events"]["sign_up"]["required"] == ["method"]
    assert compiled["events"]["sign_up"]["vendors"]["facebook_pixel"] == "CompleteRegistration"
    assert compiled["events"]["no_properties"] == {}
    # the same table, compiled, is what test/plan.test.mjs checks the browser against
    golden = Path(__file__).parent.parent / "data" / "plan_cases.compiled.json"
    assert json.loads(golden.read_text()) == compiled, "run: python -m tests.plan.test_cases"


if __name__ == "__main__":  # writes the compiled table the JS test reads
    golden = Path(__file__).parent.parent / "data" / "plan_cases.compiled.json"
    golden.write_text(json.dumps(compile_plan(PLAN, "flag"), indent=1) + "\n")
