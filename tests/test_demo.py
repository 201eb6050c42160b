"""The demo, as a person trying the package sees it: `bash scripts/demo.sh` serves these pages.

Its own server process (demo settings), Chromium with no routes of ours: the demo's service
worker answers the vendor hosts with local fakes, so every state reaches "loaded" offline.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parent.parent / "demo"
ALL_SIX = {"Google Analytics", "HubSpot", "Kissmetrics", "Drift", "FullStory", "Meta Pixel"}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("demo") / "runserver.log"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=DEMO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            assert server.poll() is None, log.read_text()
            try:
                urllib.request.urlopen(url + "/", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def demo_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def open_demo(page: Any, url: str) -> None:
    """Opens a demo page once its service worker answers the vendor hosts: a first visit
    reloads itself when the worker takes over: wait for the page it reloads to."""
    page.goto(url)
    page.wait_for_selector("body[data-fake-vendors-ready]", state="attached", timeout=20000)


def table(page: Any) -> dict[str, tuple[str, str]]:
    """service label -> (state, reason), as the page's table shows them."""
    rows = page.eval_on_selector_all(
        "#services tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))",
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def wait_for_states(page: Any, state: str, count: int) -> None:
    page.wait_for_function(
        "([state, count]) => document.querySelectorAll('#services td.state-' + state).length"
        " >= count",
        arg=[state, count],
        timeout=20000,
    )


def test_signup_shows_every_service_loaded_from_the_local_fakes(demo_url: str, demo_page: Any):
    open_demo(demo_page, demo_url + "/area/signup/")
    wait_for_states(demo_page, "loaded", 6)
    assert {label for label, (state, _) in table(demo_page).items() if state == "loaded"} == ALL_SIX

    demo_page.click("#track")  # the package's recording fakes get it, each in its own call
    demo_page.wait_for_function(
        "() => new Set(JSON.parse(sessionStorage.getItem('analytix.fakeVendorCalls') || '[]')"
        ".filter(([, args]) => /demo.button.clicked/i.test(JSON.stringify(args)))"
        ".map(([service]) => service)).size === 6",
        timeout=10000,
    )
    demo_page.wait_for_function(  # and the page's table counts them
        "() => [...document.querySelectorAll('#services tbody tr')]"
        ".every(row => Number(row.cells[4].textContent) > 0)"
    )


def test_consent_banner_starts_the_waiting_services(demo_url: str, demo_page: Any):
    open_demo(demo_page, demo_url + "/area/default/?consent=1")
    wait_for_states(demo_page, "waiting", 3)
    assert "required" in demo_page.inner_text("#consent-state")
    # The package's banner asks; analytics only, from its per-category choices.
    banner = demo_page.get_by_role("dialog", name="Cookies and tracking on this site")
    banner.get_by_role("button", name="Choose").click()
    banner.get_by_label("Analytics").check()
    banner.get_by_role("button", name="Save choices").click()
    banner.wait_for(state="hidden")
    wait_for_states(demo_page, "loaded", 2)  # google and kissmetrics: analytics
    states = table(demo_page)
    assert states["HubSpot"][0] == "waiting"  # marketing: still waiting
    demo_page.click("#grant-all")  # the page's own controls, through analytix.consent
    wait_for_states(demo_page, "loaded", 3)


def test_the_banner_is_only_there_when_consent_is_required(demo_url: str, demo_page: Any):
    open_demo(demo_page, demo_url + "/area/default/")
    wait_for_states(demo_page, "loaded", 3)
    assert demo_page.locator("[data-analytix-banner]").count() == 0


def test_gpc_switch_and_unknown_area_show_their_reasons(demo_url: str, demo_page: Any):
    open_demo(demo_page, demo_url + "/area/signup/?gpc=1")
    demo_page.wait_for_selector("#services tbody tr")
    states = table(demo_page)
    assert states["Google Analytics"] == ("off", "privacy")
    assert states["Drift"][1] == ""  # functional: GPC leaves it on

    demo_page.goto(demo_url + "/area/checkuot/")
    demo_page.wait_for_selector("#services tbody tr")
    assert {reason for _, reason in table(demo_page).values()} == {"unknown area"}


def test_the_debug_toolbar_shows_the_analytix_panel(demo_url: str, demo_page: Any) -> None:
    open_demo(demo_page, demo_url + "/area/prelogin/")
    demo_page.click("#djShowToolBarButton")  # the toolbar starts collapsed: open it
    demo_page.click("#djdt-AnalytixPanel")  # the panel's link in the toolbar's side bar
    content = demo_page.locator("#AnalytixPanel .djdt-scroll")
    content.locator("table").first.wait_for()
    text = content.inner_text()
    assert "prelogin" in text
    assert "Meta Pixel" in text and "does not list it" in text  # off on prelogin, and why


def test_the_demo_checks_events_against_its_plan_and_shows_the_directory(
    demo_url: str, demo_page: Any
) -> None:
    open_demo(demo_page, demo_url + "/area/signup/")
    wait_for_states(demo_page, "loaded", 6)
    warnings: list[str] = []
    demo_page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    demo_page.click("text=sign up")  # planned: each vendor gets the plan's name for it
    demo_page.wait_for_function(
        "() => JSON.parse(sessionStorage.getItem('analytix.fakeVendorCalls') || '[]')"
        ".some(([service, args]) => service === 'facebook_pixel' && args[1] === "
        "'CompleteRegistration')",
        timeout=10000,
    )
    demo_page.click("#track-unplanned")  # not in the plan: sent, flagged
    demo_page.wait_for_function(
        "() => document.querySelector('#plan-violations').textContent === '1'"
    )
    assert any('"Demo Unplanned Click" sent (PLAN_POLICY flag): unplanned' in w for w in warnings)

    demo_page.goto(demo_url + "/plan/")
    directory = demo_page.inner_text("#directory")
    assert "sign_up" in directory and "CompleteRegistration" in directory
    assert "Areas\nsignup" in directory or "Areas signup" in directory.replace("\n", " ")
