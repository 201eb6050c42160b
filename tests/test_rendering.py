"""The per-area caches (decide/decisions.py, page/rendering.py): never stale, never unbounded."""

from __future__ import annotations

from django.template import Context, Template

from analytix_frontend.decide import decisions as area_cache
from analytix_frontend.page import rendering
from tests.html import enabled_services, scripts


def render(area: str) -> str:
    return Template("{% load analytix %}{% analytics_scripts area %}").render(
        Context({"area": area})
    )


def test_an_entry_built_from_older_settings_is_never_used(settings: object) -> None:
    assert len(enabled_services(render("signup"))) == 6
    stale_output = rendering._outputs["signup", ""]
    stale_decisions = area_cache._by_area["signup"]
    settings.ANALYTICS_CONFIG = {"AREAS": {"signup": ["drift"]}}  # type: ignore[attr-defined]
    # As if another thread stored what it built from the old settings after the change.
    rendering._outputs["signup", ""] = stale_output
    area_cache._by_area["signup"] = stale_decisions
    assert enabled_services(render("signup")) == ["drift"]


def test_unknown_areas_are_not_cached() -> None:
    rendering.clear_caches()
    for n in range(50):
        assert enabled_services(render(f"made-up-{n}")) == []
    assert not any(area.startswith("made-up-") for area, _ in rendering._outputs)
    assert not any(area.startswith("made-up-") for area in area_cache._by_area)


def test_a_cached_area_renders_each_requests_own_nonce() -> None:
    first = Template('{% load analytix %}{% analytics_scripts "default" %}')
    html_a = first.render(Context({"csp_nonce": "aaa"}))
    html_b = first.render(Context({"csp_nonce": "bbb"}))
    assert {s.attrs.get("nonce") for s in scripts(html_a)} == {"aaa"}
    assert {s.attrs.get("nonce") for s in scripts(html_b)} == {"bbb"}


def test_decisions_changed_per_request_never_get_another_requests_output() -> None:
    """Request-level rules (consent, privacy signals) may refine the decisions of a cached
    area: equal decisions reuse the area's output, different ones never do."""
    import json
    from dataclasses import replace

    from analytix_frontend.decide.request import decide_request

    decision = decide_request(None)
    decisions = decision.services("signup")
    first = rendering._output_for("signup", decisions, decision, "")
    assert rendering._output_for("signup", tuple(decisions), decision, "") is first
    refined = (replace(decisions[0], enabled=False, reason="consent"), *decisions[1:])
    output = rendering._output_for("signup", refined, decision, "")
    google = json.loads(output.json_text)["services"][0]
    assert (google["name"], google["on"], google["reason"]) == ("google", False, "consent")
    assert rendering._output_for("signup", decisions, decision, "") is not output


def test_a_change_of_only_the_log_level_reaches_a_cached_area(settings: object) -> None:
    """Only LOG_LEVEL moves: the area's decisions are equal before and after, so nothing but
    the settings identity tells the cached output is stale (the level, and the details it
    prints, are in the cached JSON)."""
    from tests.html import page_config

    def drift() -> dict[str, object]:
        config = page_config(render("default"))
        service = next(s for s in config["services"] if s["name"] == "drift")
        return {"logLevel": config["logLevel"], **service}

    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "warning"}  # type: ignore[attr-defined]
    quiet = drift()
    assert quiet["logLevel"] == "warning" and "detail" not in quiet
    stale_output = rendering._outputs["default", ""]
    stale_decisions = area_cache._by_area["default"]
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "debug"}  # type: ignore[attr-defined]
    loud = drift()
    assert loud["logLevel"] == "debug"
    assert loud["detail"] == "area 'default' does not list it"
    # As if another thread stored what it built from the old level after the change.
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "verbose"}  # type: ignore[attr-defined]
    rendering._outputs["default", ""] = stale_output
    area_cache._by_area["default"] = stale_decisions
    louder = drift()
    assert louder["logLevel"] == "verbose" and louder["detail"]
