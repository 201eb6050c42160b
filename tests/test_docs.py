"""The docs stay true: every setting key and check id the code knows is documented, the
checks the reference names really report a mistake in their key, the default tables match
the code, every reason code has its troubleshooting entry, and links resolve.

The quickstart is run for real against the built wheel (tests/test_wheel.py, which owns the
slow build), and the consent-banner example in Chromium (tests/test_docs_banner.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks

from analytix_frontend.checks import consent as consent_checks
from analytix_frontend.checks import privacy as privacy_checks
from analytix_frontend.checks import settings as checks
from analytix_frontend.decide import decisions, request, services, triggers
from analytix_frontend.decide.rules import conditions, gpc, internal, previews
from analytix_frontend.server import config as server_config

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONFIGURATION = DOCS / "configuration.md"
TROUBLESHOOTING = DOCS / "troubleshooting.md"
README = ROOT / "README.md"
PACKAGE = ROOT / "analytix_frontend"

CHECK_ID = re.compile(r"analytix\.([EW][0-9]{3})\b")
EMITTED_ID = re.compile(r"""id=["']analytix\.([EW][0-9]{3})["']""")
KEY_HEADING = re.compile(r'^(#{3,4}) `([A-Z_]+)(?:\["([A-Z_]+)"\])?`\s*$')
FIELDS = ("**Type:**", "**Default:**", "**Example:**", "**Checked by:**")


def _doc_pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def _sections(text: str, level: str) -> dict[str, str]:
    """Heading text -> body, for the headings of one level (e.g. "## ")."""
    parts = re.split(rf"^{re.escape(level)}(.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _key_entries(section: str) -> dict[tuple[str, str | None], str]:
    """(key, sub-key or None) -> the entry's text, from ### `KEY` and #### `KEY["SUB"]`."""
    entries: dict[tuple[str, str | None], str] = {}
    current: tuple[str, str | None] | None = None
    for line in section.splitlines():
        if line.startswith("#"):
            match = KEY_HEADING.match(line)
            current = (match.group(2), match.group(3)) if match else None
            if current is not None:
                assert current not in entries, f"{line} appears twice"
                entries[current] = ""
        elif current is not None:
            entries[current] += line + "\n"
    return entries


def _reference() -> dict[str, dict[tuple[str, str | None], str]]:
    sections = _sections(CONFIGURATION.read_text(encoding="utf-8"), "## ")
    return {
        "ids": _key_entries(sections["`ANALYTICS_IDS`"]),
        "config": _key_entries(sections["`ANALYTICS_CONFIG`"]),
        "environment": {("SERVER_ENVIRONMENT", None): sections["`SERVER_ENVIRONMENT`"]},
    }


def _all_entries() -> dict[tuple[str, str | None], str]:
    reference = _reference()
    return {**reference["ids"], **reference["config"], **reference["environment"]}


# --- every key is documented, and nothing else ----------------------------------------------


def test_every_analytics_ids_key_has_an_entry() -> None:
    documented = {key for key, sub in _reference()["ids"] if sub is None}
    known = {s.id_setting for s in services.SERVICES} | {server_config.ACCESS_TOKEN_SETTING}
    assert documented == known


def test_every_analytics_config_key_has_an_entry() -> None:
    documented = {key for key, sub in _reference()["config"] if sub is None}
    assert documented == checks.CONFIG_KEYS


@pytest.mark.parametrize(
    ("parent", "known"),
    [
        ("CONSENT", consent_checks.CONSENT_KEYS),
        ("INTERNAL", privacy_checks.INTERNAL_KEYS),
        ("IDENTITY", privacy_checks.IDENTITY_KEYS),
        ("SERVER", server_config.SERVER_KEYS),
    ],
)
def test_every_sub_key_has_an_entry(parent: str, known: frozenset[str]) -> None:
    documented = {sub for key, sub in _reference()["config"] if key == parent and sub}
    assert documented == known


def test_only_those_keys_have_sub_keys() -> None:
    parents = {key for key, sub in _reference()["config"] if sub}
    assert parents == {"CONSENT", "INTERNAL", "IDENTITY", "SERVER"}


def test_every_entry_gives_type_default_example_and_check() -> None:
    for (key, sub), body in _all_entries().items():
        name = f"{key}[{sub!r}]" if sub else key
        for field in FIELDS:
            assert body.count(field) == 1, f"{name}: {field} missing or repeated"
        checked_by = body.split("**Checked by:**", 1)[1].split("\n- ", 1)[0]
        assert CHECK_ID.search(checked_by) or checked_by.strip().startswith("none"), name


# --- the check an entry names really reports a mistake in that key --------------------------

# One wrong value per key, and the settings it goes into.
BAD_IDS: dict[str, Any] = {
    "GOOGLE_ANALYTICS_API_ID": "G-x",
    "HUBSPOT_API_ID": "12ab",
    "KISSMETRICS_KEY": "not-a-key",
    "DRIFT_ID": "Has Spaces",
    "FULLSTORY_ID": "o-lower-case",
    "FACEBOOK_PIXEL_ID": "12345",
    "HUBSPOT_ACCESS_TOKEN": " pat-na1-padded ",
}
BAD_CONFIG: dict[tuple[str, str | None], Any] = {
    ("DEBUG", None): "yes",
    ("LOG_LEVEL", None): "loud",
    ("ENVIRONMENTS", None): "production",
    ("AREAS", None): ["default"],
    ("LOAD", None): ["google"],
    ("LOAD_BY_AREA", None): ["signup"],
    ("CONSENT", None): "yes",
    ("CONSENT", "REQUIRED"): "yes",
    ("CONSENT", "COOKIE_NAME"): "bad name",
    ("CONSENT", "COOKIE_GROUPS"): {"nonsense": "x"},
    ("CONSENT", "VERSION"): "",
    ("CONSENT", "RECORDS"): "yes",
    ("CONSENT", "RECORD_IP"): 1,
    ("CONSENT", "RETENTION_DAYS"): 0,
    ("CONSENT", "SOURCE"): "onetrust",
    ("CONSENT", "TCF"): {"PURPOSES": {"analytics": [12]}},
    ("CONSENT", "GOOGLE"): {"MODE": "full"},
    ("GPC", None): "yes",
    ("INTERNAL", None): ["10.0.0.0/8"],
    ("INTERNAL", "IPS"): ["10.0.0.0/33"],
    ("INTERNAL", "IP_HEADER"): "X Forwarded",
    ("INTERNAL", "PROXY_COUNT"): 0,
    ("INTERNAL", "QA_COOKIE"): "qa cookie",
    ("INTERNAL", "STAFF"): "yes",
    ("CONDITIONS", None): ["drift"],
    ("IDENTITY", None): "yes",
    ("IDENTITY", "ID_ATTRIBUTE"): "password",
    ("IDENTITY", "TRAITS"): "email",
    ("EXCLUDE_PREVIEWS", None): "yes",
    ("PLAN", None): 42,
    ("PLAN_POLICY", None): "drop",
    ("PLAN_REPORTS", None): "yes",
    ("SERVER", None): "inline",
    ("SERVER", "DISPATCH"): "nowhere",
    ("SERVER", "TIMEOUT"): 0,
    ("SERVER", "RETRIES"): 11,
    ("SERVER", "BACKOFF"): -1,
    ("SERVER", "MAX_DELAY"): "long",
    ("SERVER", "OPT_OUT"): "no.such.module",
    ("SERVER", "CLIENT_IP_HEADER"): "X Forwarded",
    ("SERVER", "HUBSPOT_CRM_VERSION"): "latest",
    ("SERVER", "HUBSPOT_API_URL"): "api.hubapi.com",
    ("SERVER", "HUBSPOT_FORMS_URL"): "ftp://forms",
    ("SERVER", "KISSMETRICS_URL"): "",
    ("SERVER", "TASKS_BACKEND"): "no-such-alias",
    ("SERVER", "LEASE"): 0,
    ("SERVER", "SWEEP"): -1,
    ("SERVER", "RETENTION_DAYS"): 0,
}


def _analytix_ids(settings: Any) -> set[str]:
    return {m.id for m in run_checks() if m.id and m.id.startswith("analytix.")}


def _first_documented_check(key: str, sub: str | None) -> str:
    body = _all_entries()[(key, sub)]
    match = CHECK_ID.search(body.split("**Checked by:**", 1)[1])
    assert match, f"{key} {sub}: no check named"
    return f"analytix.{match.group(1)}"


def test_every_documented_key_has_a_bad_value_here() -> None:
    documented = set(_reference()["config"])
    assert documented == set(BAD_CONFIG)
    assert {key for key, _ in _reference()["ids"]} == set(BAD_IDS)


@pytest.mark.parametrize("key", sorted(BAD_IDS))
def test_the_documented_check_reports_a_bad_id(settings: Any, key: str) -> None:
    expected = _first_documented_check(key, None)
    assert expected not in _analytix_ids(settings)
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, key: BAD_IDS[key]}
    assert expected in _analytix_ids(settings)


@pytest.mark.parametrize(("key", "sub"), sorted(BAD_CONFIG, key=str))
def test_the_documented_check_reports_a_bad_config_value(
    settings: Any, key: str, sub: str | None
) -> None:
    expected = _first_documented_check(key, sub)
    assert expected not in _analytix_ids(settings)
    value = BAD_CONFIG[(key, sub)]
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        key: {sub: value} if sub else value,
    }
    assert expected in _analytix_ids(settings)


# --- check ids: every one the code emits is documented, and no other -----------------------


def _emitted_ids() -> set[str]:
    return {
        f"analytix.{found}"
        for path in PACKAGE.rglob("*.py")
        for found in EMITTED_ID.findall(path.read_text(encoding="utf-8"))
    }


def _documented_ids() -> dict[str, set[Path]]:
    where: dict[str, set[Path]] = {}
    for page in _doc_pages():
        for found in CHECK_ID.findall(page.read_text(encoding="utf-8")):
            where.setdefault(f"analytix.{found}", set()).add(page.relative_to(ROOT))
    return where


def test_the_package_emits_checks() -> None:
    assert {"analytix.E001", "analytix.E101", "analytix.E201", "analytix.W301"} <= _emitted_ids()


def test_every_check_id_the_code_emits_is_documented() -> None:
    missing = sorted(_emitted_ids() - set(_documented_ids()))
    assert not missing, f"check ids documented nowhere in README.md or docs/: {missing}"


def test_every_check_id_the_docs_name_exists() -> None:
    stale = {
        i: sorted(map(str, p)) for i, p in _documented_ids().items() if i not in _emitted_ids()
    }
    assert not stale, f"the docs name check ids the code never emits: {stale}"


def test_the_reference_lists_every_check() -> None:
    table = _sections(CONFIGURATION.read_text(encoding="utf-8"), "## ")["Every system check"]
    listed = [
        f"analytix.{i}" for i in re.findall(r"^\| `analytix\.([EW][0-9]{3})` \|", table, re.M)
    ]
    assert sorted(listed) == sorted(set(listed)) == sorted(_emitted_ids())


# --- the default tables in the reference are the code's ---------------------------------------


def _table_rows(text: str, header: str) -> dict[str, str]:
    """The first markdown table whose header row is `header`: first cell -> second cell."""
    start = text.index(header)
    rows: dict[str, str] = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        rows[cells[0]] = cells[1]
    return rows


def test_the_default_area_table_is_the_code_s() -> None:
    rows = _table_rows(CONFIGURATION.read_text(encoding="utf-8"), "| area | services |")
    documented = {area: tuple(s.strip() for s in names.split(",")) for area, names in rows.items()}
    assert documented == services.DEFAULT_AREAS


def test_the_default_triggers_are_the_code_s() -> None:
    rows = _table_rows(CONFIGURATION.read_text(encoding="utf-8"), "| service | trigger |")
    assert {name: value.strip('"') for name, value in rows.items()} == triggers.DEFAULT_TRIGGERS


def test_every_log_level_and_trigger_is_described() -> None:
    text = CONFIGURATION.read_text(encoding="utf-8")
    for level in services.LOG_LEVELS:
        assert f'| `"{level}"` |' in text
    for trigger in triggers.TRIGGERS:
        assert f'| `"{trigger}"` |' in text


# --- DEFAULT_AREAS: extend the default table without losing it --------------------------------


def test_importing_the_package_and_its_area_table_loads_no_django() -> None:
    code = (
        "import sys, analytix_frontend\n"
        "assert not [m for m in sys.modules if m.startswith('django')]\n"
        "from analytix_frontend import DEFAULT_AREAS\n"
        "assert not [m for m in sys.modules if m.startswith('django')], 'django imported'\n"
        "print(sorted(DEFAULT_AREAS))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(sorted(services.DEFAULT_AREAS))


def test_default_areas_is_the_table_and_read_only() -> None:
    from analytix_frontend import DEFAULT_AREAS

    assert isinstance(DEFAULT_AREAS, Mapping)
    assert dict(DEFAULT_AREAS) == services.DEFAULT_AREAS
    with pytest.raises(TypeError):
        DEFAULT_AREAS["default"] = ("google",)  # type: ignore[index]
    with pytest.raises(AttributeError, match="NO_SUCH_NAME"):
        import analytix_frontend

        _ = analytix_frontend.NO_SUCH_NAME  # type: ignore[attr-defined]


def test_extending_default_areas_keeps_every_default_area(settings: Any) -> None:
    from analytix_frontend import DEFAULT_AREAS

    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "AREAS": {**DEFAULT_AREAS, "checkout": ["google", "facebook_pixel"]},
    }
    assert not {i for i in _analytix_ids(settings) if i in ("analytix.E008", "analytix.E009")}
    on = {d.service.name for d in decisions.decide_services("checkout") if d.enabled}
    assert on == {"google", "facebook_pixel"}
    for area, names in services.DEFAULT_AREAS.items():
        assert {d.service.name for d in decisions.decide_services(area) if d.enabled} == set(names)


# --- troubleshooting: every reason code has its entry ------------------------------------------

REASON_CODES = {
    decisions.NO_ID,
    decisions.INVALID_ID,
    decisions.ENVIRONMENT,
    decisions.AREA,
    decisions.UNKNOWN_AREA,
    request.CONSENT,
    gpc.PRIVACY,
    internal.INTERNAL,
    previews.PREVIEW,
    conditions.CONDITION,
}


def test_every_reason_code_has_a_troubleshooting_entry() -> None:
    headings = set(re.findall(r"^### `([a-z ]+)`", TROUBLESHOOTING.read_text("utf-8"), re.M))
    assert headings == REASON_CODES


# --- README: its settings example keeps every dev box out of production -----------------------


def _readme_settings_block() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    (block,) = [b for b in blocks if "SERVER_ENVIRONMENT =" in b and "ANALYTICS_CONFIG = {" in b]
    return block


@pytest.mark.parametrize(
    ("environ", "analytics_on"),
    [({}, False), ({"SERVER_ENVIRONMENT": "production"}, True)],
)
def test_readme_settings_turn_analytics_on_only_where_the_environment_says(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], analytics_on: bool
) -> None:
    monkeypatch.delenv("SERVER_ENVIRONMENT", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {"BASE_DIR": ROOT}
    exec(_readme_settings_block(), namespace)  # the README's own lines, as settings.py runs them
    config = namespace["ANALYTICS_CONFIG"]
    environments = config.get("ENVIRONMENTS", ["production"])
    on = config.get("DEBUG", False) is True or namespace["SERVER_ENVIRONMENT"] in environments
    assert on is analytics_on


# --- links between the pages resolve ---------------------------------------------------------

LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for heading in re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def test_links_between_the_pages_resolve() -> None:
    broken = []
    for page in _doc_pages():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # an outside address
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, broken


# --- the console lines the troubleshooting page quotes are the server's ------------------------

# Each quoted block's <!-- scenario: name -->: the settings, the request and the area.
SCENARIOS: dict[str, tuple[dict[str, Any], dict[str, str], str]] = {
    "prelogin": ({"ids_without": "DRIFT_ID"}, {}, "prelogin"),
    "environment": ({"SERVER_ENVIRONMENT": "development"}, {}, "default"),
    "internal": ({"INTERNAL": {"IPS": ["127.0.0.0/8"]}}, {"REMOTE_ADDR": "127.0.0.1"}, "signup"),
    "privacy": ({}, {"HTTP_SEC_GPC": "1"}, "signup"),
    "consent": ({"CONSENT": True}, {}, "signup"),
}


def _quoted_blocks(page: Path) -> list[tuple[str, list[str]]]:
    text = page.read_text(encoding="utf-8")
    found = re.findall(r"<!-- scenario: ([a-z-]+) -->\n```text\n(.*?)```", text, re.S)
    return [(name, block.strip().splitlines()) for name, block in found]


def _debug_lines(settings: Any, scenario: str) -> set[str]:
    """What the page of this scenario prints at debug (boot.js's line formats), from the
    config block the server writes."""
    from django.template import Context, Template
    from django.test import RequestFactory

    from analytix_frontend.testing import page_configs

    changes, meta, area = SCENARIOS[scenario]
    changes = dict(changes)
    settings.SERVER_ENVIRONMENT = changes.pop("SERVER_ENVIRONMENT", "production")
    ids = dict(settings.ANALYTICS_IDS)
    ids.pop(changes.pop("ids_without", ""), None)
    settings.ANALYTICS_IDS = ids
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "debug", **changes}
    request = RequestFactory().get("/", **meta)
    html = Template("{% load analytix %}{% analytics_scripts area %}").render(
        Context({"request": request, "area": area})
    )
    lines = set()
    for config in page_configs(html):
        for service in config["services"]:
            record = services.SERVICES_BY_NAME[service["name"]]
            prefix = f"[DEBUG] {record.label} |"
            detail = f" ({service['detail']})" if service.get("detail") else ""
            if service.get("waiting"):
                lines.add(f"{prefix} waiting for consent: {record.category}{detail}")
            elif not service["on"]:
                lines.add(f"{prefix} not loaded: {service.get('reason', '')}{detail}")
            else:
                load = service.get("load", triggers.DEFAULT_TRIGGERS[record.name])
                if load == triggers.FACADE:
                    lines.add(f"{prefix} facade shown; loads on click")
                elif load != triggers.READY:
                    lines.add(f"{prefix} scheduled: starts on trigger {load}")
                lines.add(f"{prefix} on: loading with id {service['id']}")
    return lines


def test_troubleshooting_quotes_console_lines_for_each_scenario() -> None:
    blocks = _quoted_blocks(TROUBLESHOOTING)
    assert {name for name, _ in blocks} == set(SCENARIOS)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_quoted_console_lines_are_what_the_page_prints(settings: Any, scenario: str) -> None:
    printed = _debug_lines(settings, scenario)
    quoted = [line for name, lines in _quoted_blocks(TROUBLESHOOTING) if name == scenario
              for line in lines]  # fmt: skip
    assert quoted
    for line in quoted:
        assert line in printed, f"{line!r} is not printed; the page prints {sorted(printed)}"
