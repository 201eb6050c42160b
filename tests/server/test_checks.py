from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from analytix_frontend.checks import delivery as delivery_checks
from analytix_frontend.checks.server import check_access_token, check_server_settings
from tests.server.conftest import TOKEN
from tests.server.test_tasks import FRAMEWORK


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


def server(settings: Any, **values: Any) -> list[Any]:
    settings.ANALYTICS_CONFIG = {"SERVER": values}
    return check_server_settings()


def test_no_server_settings_is_fine(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {}
    assert check_server_settings() == []


def test_defaults_and_good_values_pass(settings: Any) -> None:
    assert server(settings) == []
    assert (
        server(
            settings,
            DISPATCH="celery",
            TIMEOUT=2,
            RETRIES=0,
            BACKOFF=0.5,
            MAX_DELAY=30,
            OPT_OUT="tests.server.helpers.opt_out_listed",
            CLIENT_IP_HEADER="X-Forwarded-For",
            HUBSPOT_CRM_VERSION="v4",
            HUBSPOT_API_URL="http://127.0.0.1:9",
        )
        == []
    )
    assert server(settings, DISPATCH="tests.server.helpers.record_dispatch") == []


def test_server_must_be_a_dict(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": "inline"}
    assert ids(check_server_settings()) == ["analytix.E101"]


@pytest.mark.parametrize("dispatch", ["threads", "", "tests.server.helpers.nothing_here", 3])
def test_unknown_dispatch(settings: Any, dispatch: Any) -> None:
    [message] = server(settings, DISPATCH=dispatch)
    assert message.id == "analytix.E102"
    assert "'inline', 'tasks', 'celery' or the dotted path of a callable" in message.msg


@pytest.mark.parametrize("timeout", [0, -1, "5", None, True, 600])
def test_bad_timeout(settings: Any, timeout: Any) -> None:
    assert ids(server(settings, TIMEOUT=timeout)) == ["analytix.E103"]


@pytest.mark.parametrize("retries", [-1, 11, 2.5, "3", None, True])
def test_bad_retries(settings: Any, retries: Any) -> None:
    assert ids(server(settings, RETRIES=retries)) == ["analytix.E104"]


def test_bad_backoff_url_opt_out_header_version(settings: Any) -> None:
    messages = server(
        settings,
        BACKOFF=-1,
        MAX_DELAY="10",
        KISSMETRICS_URL="trk.kissmetrics.io",
        OPT_OUT="nowhere.to.be.found",
        CLIENT_IP_HEADER="X-Forwarded-For: 1.2.3.4",
        HUBSPOT_CRM_VERSION="3",
        SPEED="fast",
    )
    assert ids(messages) == [
        "analytix.E105",
        "analytix.E105",
        "analytix.E106",
        "analytix.E107",
        "analytix.E108",
        "analytix.E112",
        "analytix.W102",
    ]


def token_messages(settings: Any, token: Any) -> list[Any]:
    settings.ANALYTICS_IDS = {"HUBSPOT_ACCESS_TOKEN": token}
    return check_access_token()


def test_a_good_token_or_none_passes(settings: Any) -> None:
    assert token_messages(settings, TOKEN) == []
    assert token_messages(settings, "") == []


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "analytix.E109"),  # a retired API key
        (TOKEN + " ", "analytix.E109"),
        (12345, "analytix.E109"),
        ("secret-looking-but-wrong-0a1b2c3d", "analytix.W101"),
        (TOKEN[:12] + "\u200b" + TOKEN[12:], "analytix.E113"),  # a pasted zero-width space
        (TOKEN[:12] + "\u00a0" + TOKEN[12:], "analytix.E113"),  # a non-breaking space
        (TOKEN[:12] + "\x7f" + TOKEN[12:], "analytix.E113"),
    ],
)
def test_wrong_looking_tokens_are_reported_without_quoting_them(
    settings: Any, token: Any, expected: str
) -> None:
    [message] = token_messages(settings, token)
    assert message.id == expected
    text = f"{message.msg} {message.hint}"
    assert str(token).strip() not in text
    assert TOKEN[:12] not in text


def test_manage_py_check_reports_them_and_never_prints_the_token(
    settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "pat-na1-not-quite-a-token-" + "9" * 20
    settings.ANALYTICS_IDS = {"HUBSPOT_ACCESS_TOKEN": secret}
    settings.ANALYTICS_CONFIG = {"SERVER": {"DISPATCH": "nope"}}
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    output = str(error.value) + capsys.readouterr().err
    assert "analytix.E102" in output
    assert "analytix.W101" in output
    assert secret not in output


def test_the_package_and_its_checks_load_without_httpx() -> None:
    """httpx is the [server] extra: without it the app still starts, and the check says why
    nothing can be sent."""
    code = "\n".join(
        [
            "import sys",
            "sys.modules['httpx'] = None  # as if not installed",
            "import django",
            "django.setup()",
            "from django.test.utils import override_settings",
            "from analytix_frontend.server import record_kissmetrics_event",
            "from analytix_frontend.checks.server import check_server_settings",
            "with override_settings(ANALYTICS_CONFIG={'SERVER': {}}):",
            "    print([m.id for m in check_server_settings()])",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['analytix.E110']"


# Durable delivery's checks (checks/delivery.py).


def delivery(settings: Any, **values: Any) -> list[str]:
    settings.ANALYTICS_CONFIG = {"SERVER": values}
    return ids(delivery_checks.check_delivery_settings())


def test_tasks_needs_the_framework(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert delivery(settings, DISPATCH="tasks") == []
    monkeypatch.setattr(delivery_checks, "_tasks_installed", lambda: False)
    assert delivery(settings, DISPATCH="tasks") == ["analytix.E114"]


def test_tasks_backend_must_be_an_alias_of_tasks(settings: Any) -> None:
    settings.TASKS = {"calls": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert delivery(settings, DISPATCH="tasks", TASKS_BACKEND="calls") == []
    assert delivery(settings, DISPATCH="tasks", TASKS_BACKEND="default") == ["analytix.E115"]


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("LEASE", 0, "analytix.E116"),
        ("LEASE", "60", "analytix.E116"),
        ("SWEEP", -1, "analytix.E117"),
        ("SWEEP", None, "analytix.E117"),
        ("RETENTION_DAYS", 0, "analytix.E118"),
        ("RETENTION_DAYS", 1.5, "analytix.E118"),
        ("RETENTION_DAYS", True, "analytix.E118"),
    ],
)
def test_bad_delivery_numbers(settings: Any, key: str, value: Any, error: str) -> None:
    assert delivery(settings, **{key: value}) == [error]


def test_good_delivery_numbers(settings: Any) -> None:
    assert delivery(settings, LEASE=30, SWEEP=0, RETENTION_DAYS=7) == []


def test_deploy_warns_about_inline_with_nothing_to_resend(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {"SWEEP": 0}}
    assert ids(delivery_checks.check_delivery_for_deploy()) == ["analytix.W103"]
    for server in ({}, {"SWEEP": 60}, {"SWEEP": 0, "DISPATCH": "celery"}):
        settings.ANALYTICS_CONFIG = {"SERVER": server}
        assert delivery_checks.check_delivery_for_deploy() == []


def test_deploy_warns_about_tasks_run_in_the_request(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {"DISPATCH": "tasks"}}
    settings.TASKS = {"default": {"BACKEND": f"{FRAMEWORK}.backends.immediate.ImmediateBackend"}}
    [message] = delivery_checks.check_delivery_for_deploy()
    assert (message.id, "sent inside the request" in message.msg) == ("analytix.W104", True)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert delivery_checks.check_delivery_for_deploy() == []


def test_check_deploy_runs_the_delivery_check(settings: Any, capsys: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {"SWEEP": 0}}
    with pytest.raises(SystemCheckError) as error:  # the test settings are no deployment
        call_command("check", "--deploy")
    assert "analytix.W103" in str(error.value)
    settings.ANALYTICS_CONFIG = {"SERVER": {}}
    with pytest.raises(SystemCheckError) as error:
        call_command("check", "--deploy")
    assert "analytix.W103" not in str(error.value)
