"""The per-area output cache in rendering.py: never stale, never unbounded."""

from __future__ import annotations

from django.template import Context, Template

from analytix_frontend import rendering
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
