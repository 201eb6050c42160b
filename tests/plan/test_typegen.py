"""The types `analytix_plan types` writes: the TypeScript in test/types/plan/ is what the
generator makes of the test plan (tsc then checks page code against it in
test/plan-types.test.mjs), and the Python TypedDicts type-check server calls with mypy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from analytix_frontend.plan.parser import parse_plan_text
from analytix_frontend.plan.typegen import python, typescript
from tests.plan.project import PLAN

ROOT = Path(__file__).resolve().parent.parent.parent
GENERATED = ROOT / "test" / "types" / "plan" / "analytics_plan.d.ts"


def test_the_typescript_tsc_checks_is_what_the_generator_writes() -> None:
    expected = typescript(parse_plan_text(PLAN, "analytics_plan.yaml"))
    assert GENERATED.read_text() == expected, "run: python -m tests.plan.test_typegen"


def test_the_python_types_check_server_calls_with_mypy(tmp_path: Path) -> None:
    (tmp_path / "analytics_plan_types.py").write_text(
        python(parse_plan_text(PLAN, "analytics_plan.yaml"))
    )
    (tmp_path / "calls.py").write_text(
        "from analytics_plan_types import SignUpProperties, HubspotContactProperties\n"
        "good: SignUpProperties = {'method': 'email', 'seats': 2}\n"
        "contact: HubspotContactProperties = {'plan_tier': 'pro'}\n"
        "missing: SignUpProperties = {'seats': 2}\n"
        "wrong: SignUpProperties = {'method': 'phone'}\n"
        "extra: HubspotContactProperties = {'company_size': 3}\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "calls.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    failing = sorted(
        {line.split(":")[1] for line in result.stdout.splitlines() if ": error" in line}
    )
    assert failing == ["4", "5", "6"], result.stdout


if __name__ == "__main__":  # writes the TypeScript the node test checks
    GENERATED.write_text(typescript(parse_plan_text(PLAN, "analytics_plan.yaml")))
