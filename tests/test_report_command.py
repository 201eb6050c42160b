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
    for line in table_text.splitlines()[1:]:  # the first line states the environment
        cells = re.split(r"\s{2,}", line.strip())
        table[cells[0]] = cells[1:]
    return table


def test_table_has_every_area_and_service() -> None:
    table = rows(report())
    assert table["area"] == [
        "google",
        "hubspot",
        "kissmetrics",
        "drift",
        "fullstory",
        "facebook_pixel",
    ]
    assert table["signup"] == ["on"] * 6
    assert table["default"] == ["on", "on", "on", "off: area", "off: area", "off: area"]


def test_why_fullstory_does_not_load_on_signup(settings: Any) -> None:
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "FULLSTORY_ID": "not-an-org"}
    text = report("--area", "signup")
    assert rows(text)["signup"][4] == "off: invalid id"
    assert (
        "fullstory: invalid id: ANALYTICS_IDS['FULLSTORY_ID'] is not a valid FullStory id" in text
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
