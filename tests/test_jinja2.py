"""The Jinja2 global writes exactly what the Django tag writes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from django.template import Context, Template
from django.template.backends.jinja2 import Jinja2
from django.test import RequestFactory

from analytix_frontend.decide.services import DEFAULT_AREAS
from analytix_frontend.jinja2 import AnalytixExtension, analytics_scripts
from tests.html import enabled_services, scripts, site_paths


def django_render(source: str, **context: Any) -> str:
    return Template("{% load analytix %}" + source).render(Context(context))


def jinja_render(source: str, **context: Any) -> str:
    environment = jinja2.Environment(autoescape=True, extensions=[AnalytixExtension])
    return environment.from_string(source).render(**context)


@pytest.mark.parametrize("area", sorted(DEFAULT_AREAS))
def test_each_area_matches_the_django_tag(area: str) -> None:
    jinja = jinja_render(
        "{{ analytics_scripts(area) }}", area=area, request=RequestFactory().get("/")
    )
    django = django_render(
        "{% analytics_scripts area %}", area=area, request=RequestFactory().get("/")
    )
    assert jinja == django
    assert sorted(enabled_services(jinja)) == sorted(DEFAULT_AREAS[area])


def test_no_argument_means_the_default_area() -> None:
    assert jinja_render("{{ analytics_scripts() }}") == django_render("{% analytics_scripts %}")


def test_nonce_from_the_context_and_from_the_request() -> None:
    from_context = jinja_render("{{ analytics_scripts('signup') }}", csp_nonce="n0nce")
    assert from_context == django_render('{% analytics_scripts "signup" %}', csp_nonce="n0nce")
    request = SimpleNamespace(csp_nonce="fr0m-request")  # what django-csp's middleware sets
    from_request = jinja_render("{{ analytics_scripts('signup') }}", request=request)
    assert {s.attrs.get("nonce") for s in scripts(from_request)} == {"fr0m-request"}


def test_twice_on_one_page_writes_the_scripts_once_like_the_tag() -> None:
    jinja = jinja_render(
        "{{ analytics_scripts('signup') }}{{ analytics_scripts('signup') }}",
        request=RequestFactory().get("/"),
    )
    django = django_render(
        '{% analytics_scripts "signup" %}{% analytics_scripts "signup" %}',
        request=RequestFactory().get("/"),
    )
    assert jinja == django
    srcs = [s.attrs["src"] for s in scripts(jinja) if s.attrs.get("src")]
    assert len(srcs) == len(set(srcs)) > 0


def test_unknown_area_loads_nothing() -> None:
    html = jinja_render("{{ analytics_scripts('nope') }}")
    assert enabled_services(html) == []


def test_through_djangos_jinja2_backend_with_the_request() -> None:
    backend = Jinja2(
        {
            "NAME": "jinja2",
            "DIRS": [],
            "APP_DIRS": False,
            "OPTIONS": {"extensions": ["analytix_frontend.jinja2.AnalytixExtension"]},
        }
    )
    request = RequestFactory().get("/")
    request.csp_nonce = "b4ckend"  # type: ignore[attr-defined]
    html = backend.from_string("{{ analytics_scripts('prelogin') }}").render(request=request)
    other = RequestFactory().get("/")
    other.csp_nonce = "b4ckend"  # type: ignore[attr-defined]
    assert html == django_render('{% analytics_scripts "prelogin" %}', request=other)
    assert {s.attrs.get("nonce") for s in scripts(html)} == {"b4ckend"}


def test_the_global_alone_works_without_the_extension() -> None:
    environment = jinja2.Environment(autoescape=True)
    environment.globals["analytics_scripts"] = analytics_scripts
    html = environment.from_string("{{ analytics_scripts('default') }}").render()
    assert html == django_render('{% analytics_scripts "default" %}')


def test_same_bundle_as_the_tag_with_offline_compression(settings: Any, tmp_path: Any) -> None:
    from compressor.cache import flush_offline_manifest
    from django.core.management import call_command

    from analytix_frontend.page.rendering import clear_caches

    settings.COMPRESS_ENABLED = True
    settings.COMPRESS_OFFLINE = True
    settings.COMPRESS_ROOT = str(tmp_path)
    call_command("compress", verbosity=0)
    flush_offline_manifest()
    request_args = {"csp_nonce": "c0mpress"}
    try:
        jinja = jinja_render("{{ analytics_scripts('signup') }}", **request_args)
        assert jinja == django_render('{% analytics_scripts "signup" %}', **request_args)
    finally:
        flush_offline_manifest()
        clear_caches()
    srcs = site_paths(s.attrs["src"] or "" for s in scripts(jinja) if s.attrs.get("src"))
    assert len(srcs) == 1 and srcs[0].startswith("/static/CACHE/js/")
