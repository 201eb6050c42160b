"""The per-area output cache in rendering.py: never stale, never unbounded."""

from __future__ import annotations

from django.template import Context, Template

from analytix_frontend.page import rendering
from tests.html import enabled_services, scripts


def render(area: str) -> str:
    return Template("{% load analytix %}{% analytics_scripts area %}").render(
        Context({"area": area})
    )


def test_an_entry_built_from_older_settings_is_never_used(settings: object) -> None:
    assert len(enabled_services(render("signup"))) == 6
    stale_output = rendering._area_outputs["signup"]
    stale_decisions = rendering._area_decisions["signup"]
    settings.ANALYTICS_CONFIG = {"AREAS": {"signup": ["drift"]}}  # type: ignore[attr-defined]
    # As if another thread stored what it built from the old settings after the change.
    rendering._area_outputs["signup"] = stale_output
    rendering._area_decisions["signup"] = stale_decisions
    assert enabled_services(render("signup")) == ["drift"]


def test_unknown_areas_are_not_cached() -> None:
    rendering.clear_caches()
    for n in range(50):
        assert enabled_services(render(f"made-up-{n}")) == []
    assert not any(area.startswith("made-up-") for area in rendering._area_outputs)
    assert not any(area.startswith("made-up-") for area in rendering._area_decisions)


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

    from analytix_frontend.decide.settings import get_settings

    config = get_settings()
    decisions = rendering._decisions_for("signup", config)
    first = rendering._output_for("signup", decisions, config)
    assert rendering._output_for("signup", list(decisions), config) is first
    refined = [replace(decisions[0], enabled=False, reason="consent"), *decisions[1:]]
    output = rendering._output_for("signup", refined, config)
    google = json.loads(output.json_text)["services"][0]
    assert (google["name"], google["on"], google["reason"]) == ("google", False, "consent")
    assert rendering._output_for("signup", decisions, config) is not output


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
    stale_output = rendering._area_outputs["default"]
    stale_decisions = rendering._area_decisions["default"]
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "debug"}  # type: ignore[attr-defined]
    loud = drift()
    assert loud["logLevel"] == "debug"
    assert loud["detail"] == "area 'default' does not list it"
    # As if another thread stored what it built from the old level after the change.
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "verbose"}  # type: ignore[attr-defined]
    rendering._area_outputs["default"] = stale_output
    rendering._area_decisions["default"] = stale_decisions
    louder = drift()
    assert louder["logLevel"] == "verbose" and louder["detail"]
