"""What the browser code trusts, in Chromium, under the README's host allow-list and the
nonce-only 'strict-dynamic' policy (tests/security_views.py): a copy of our own script that
HTML put on the page, an injected <base href>, Trusted Types (with and without the policy name
allowed), and QA's remembered log level on a production page.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlparse

import pytest

from tests.fake_vendors import answer_with_recording_fakes

pytestmark = pytest.mark.browser

POLICIES = ["allowlist", "strict"]
VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
# The attacker's copy of start.js (our own file: 'self' lets it run under a host allow-list)
# and a block of their own: vendor ids of their choosing, at verbose, before any consent.
ATTACKER_CONFIG = json.dumps(
    {
        "area": "default",
        "logLevel": "verbose",
        "services": [
            {"name": "hubspot", "on": True, "id": "999", "load": "ready"},
            {"name": "google", "on": True, "id": "G-EVIL1234", "load": "ready"},
        ],
    }
)
COPY = (
    '<script src="/static/analytix/js/analytix.min.js"'
    ' data-analytix-main="/static/analytix/js/main.min.js"{defer}></script>'
)
BLOCK = f'<script type="application/json" data-analytix-config>{ATTACKER_CONFIG}</script>'
IMPOSTOR = (
    "[WARNING] analytix | a copy of start.js without this page's CSP nonce was ignored "
    "(HTML injected into the page?)"
)


def open_security(open_page: Any, policy: str, area: str = "default", **query: str) -> Any:
    browser_page = open_page("fake")
    answer_with_recording_fakes(browser_page)
    requests: list[str] = []
    browser_page.page.on("request", lambda request: requests.append(request.url))
    browser_page.all_requests = requests
    browser_page.page.add_init_script(VIOLATIONS)
    params = "&".join(f"{key}={quote(value)}" for key, value in query.items())
    browser_page.goto(f"/security/{policy}/{area}/" + (f"?{params}" if params else ""))
    return browser_page


def wait_loaded(browser_page: Any, *names: str) -> None:
    browser_page.page.wait_for_function(
        "names => names.every(n => ((window.analytix.services || {})[n] || {}).state === 'loaded')",
        arg=list(names),
    )


@pytest.mark.parametrize("where", ["head", "html", "html-defer"])
@pytest.mark.parametrize("policy", POLICIES)
def test_a_nonce_less_copy_of_start_js_trusts_no_injected_block(
    open_page: Any, policy: str, where: str
) -> None:
    """head: injected before the server's block and tag, run as the page parses, claiming
    window.analytix first; html: after them, in <body>; html-defer: a deferred copy."""
    copy = COPY.format(defer=" defer" if where.endswith("defer") else "")
    browser_page = open_security(open_page, policy, **{where.split("-")[0]: copy + BLOCK})
    page = browser_page.page
    wait_loaded(browser_page, "google", "hubspot", "kissmetrics")  # the server's, still working
    assert page.evaluate("analytix.services.hubspot.id") == "1234567"
    assert not any("999" in url or "G-EVIL" in url for url in browser_page.vendor_requests)
    copies = [line for line in browser_page.console_lines() if "copy of start.js" in line]
    # The allow-list runs the copy ('self'), which says so once; 'strict-dynamic' blocks it.
    assert copies == ([IMPOSTOR] if policy == "allowlist" else [])
    assert browser_page.errors == []


@pytest.mark.parametrize("where", ["head", "html"])
def test_an_injected_base_href_never_moves_our_scripts(open_page: Any, where: str) -> None:
    """In <head> before the tag, the README's policy (base-uri from csp_sources()) refuses it;
    in <body>, after the tag, even a policy without base-uri cannot move the main script:
    start.js resolves its URLs against the page's own address."""
    policy = "allowlist" if where == "head" else "no-base-uri"
    base = '<base href="https://evil.example/">'
    browser_page = open_security(open_page, policy, **{where: base})
    wait_loaded(browser_page, "google", "hubspot", "kissmetrics")
    hosts = {urlparse(url).hostname for url in browser_page.all_requests}
    assert "evil.example" not in hosts, browser_page.all_requests
    main = browser_page.page.evaluate(
        "[...document.querySelectorAll('script[src*=\"/main.\"]')].map(s => s.src)"
    )
    assert main == [browser_page.base_url + "/static/analytix/js/main.min.js"]
    assert browser_page.errors == []


@pytest.mark.parametrize("policy", ["tt-allowlist", "tt-strict", "tt-required"])
def test_under_trusted_types_everything_loads_through_the_analytix_policy(
    open_page: Any, policy: str
) -> None:
    browser_page = open_security(open_page, policy)
    wait_loaded(browser_page, "google", "hubspot", "kissmetrics")
    assert browser_page.page.evaluate("window.__violations") == []
    assert browser_page.errors == []
    assert browser_page.console_lines() == []


def test_where_the_policy_name_is_not_allowed_one_line_and_nothing_loads(open_page: Any) -> None:
    browser_page = open_security(open_page, "tt-refused")
    page = browser_page.page
    page.wait_for_function("document.readyState === 'complete'")
    page.evaluate("analytix.track('Dropped')")  # a call: asks for the main script again
    page.wait_for_timeout(200)  # nothing is awaited: give a wrong request the time to show
    assert browser_page.vendor_requests == []
    assert not any("/main." in url for url in browser_page.all_requests)
    # Chromium reports the refused policy and assignment itself (console errors of the CSP);
    # ours is the one line that says what it means and what to do.
    ours = [line for line in browser_page.console_lines() if line.startswith("[")]
    assert ours == [
        "[WARNING] analytix | Trusted Types refused the main script (the CSP does not allow the "
        'policy "analytix": add trusted-types analytix); the page\'s analytics calls are dropped: '
        + browser_page.base_url
        + "/static/analytix/js/main.min.js"
    ]
    assert browser_page.errors == []


def test_qa_remembers_debug_in_this_browser_and_forgets_it(open_page: Any, settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "LOG_LEVEL": "warning"}
    browser_page = open_security(open_page, "allowlist")
    page = browser_page.page
    wait_loaded(browser_page, "google", "hubspot", "kissmetrics")
    assert browser_page.console_lines() == []  # a production page says nothing
    page.evaluate("analytix.setLogLevel('debug', {remember: true})")
    browser_page.console.clear()
    page.reload()
    wait_loaded(browser_page, "google", "hubspot", "kissmetrics")
    page.wait_for_function("() => true")
    lines = browser_page.console_lines()
    assert (
        "[DEBUG] Drift | not loaded: area (details stay on the server at LOG_LEVEL warning: "
        "manage.py analytix_report --area default, or the debug-toolbar panel)"
    ) in lines, lines
    assert "[DEBUG] Google Analytics | on: loading with id G-ABC123DEF4" in lines
    page.wait_for_function("() => window.analytix.logLevel() === 'debug'")
    browser_page.page.wait_for_timeout(100)
    assert any(m.type == "table" for m in browser_page.console), "the decision table"
    page.evaluate("analytix.forgetLogLevel()")
    browser_page.console.clear()
    page.reload()
    wait_loaded(browser_page, "google", "hubspot", "kissmetrics")
    assert browser_page.console_lines() == []
    assert browser_page.errors == []


@pytest.mark.parametrize("debug", [True, False], ids=["readable-files", "minified"])
def test_a_page_that_requires_consent_holds_services_back_whichever_files_it_gets(
    open_page: Any, settings: Any, debug: bool
) -> None:
    """The server saw a consent cookie the page cannot read (HttpOnly: as for a page from a
    cache, rendered for a visitor who consented): the browser's own check holds every service
    back, whether the page has the readable files or the minified ones."""
    settings.DEBUG = debug  # the readable files, one <script> each, or the minified two
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}
    browser_page = open_page("fake")
    answer_with_recording_fakes(browser_page)
    browser_page.page.context.add_cookies(
        [
            {
                "name": "analytix_consent",
                "value": "analytics,marketing,functional",
                "url": browser_page.base_url,
                "httpOnly": True,
            }
        ]
    )
    browser_page.goto("/security/strict/default/")
    page = browser_page.page
    assert page.evaluate(
        "JSON.parse(document.querySelector('script[data-analytix-config]').textContent)"
        ".services.filter(s => ['google', 'hubspot', 'kissmetrics'].includes(s.name))"
        ".every(s => s.on)"
    ), "the server's answer: consented"
    page.wait_for_function(
        "() => ['google', 'hubspot', 'kissmetrics'].every("
        "n => ((window.analytix.services || {})[n] || {}).state === 'waiting')"
    )
    files = page.evaluate(
        "[...document.querySelectorAll('script[src*=\"/static/analytix/\"]')].length"
    )
    assert files > 2 if debug else files == 2
    assert browser_page.vendor_requests == []
    page.evaluate("analytix.consent.grant(['analytics'])")
    wait_loaded(browser_page, "google", "kissmetrics")
    assert page.evaluate("analytix.services.hubspot.state") == "waiting"
    assert browser_page.errors == []
