from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from analytix_frontend.checks.settings import (
    check_config,
    check_ids,
    check_request_in_context,
    check_template_areas,
)


def ids_of(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


def test_the_test_settings_are_clean() -> None:
    assert check_ids() == [] and check_config() == []


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("GOOGLE_ANALYTICS_API_ID", "G-abc'</script>"),
        ("HUBSPOT_API_ID", "12ab"),
        ("DRIFT_ID", "abc\u2028xyz789"),
        ("FULLSTORY_ID", 'o-1ABCDE-na1"><!--'),
        ("FACEBOOK_PIXEL_ID", "1234"),
        ("KISSMETRICS_KEY", "0123456789abcdef"),
    ],
)
def test_an_invalid_id_is_an_error_naming_the_setting(
    settings: Any, setting: str, value: str
) -> None:
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, setting: value}
    errors = check_ids()
    assert ids_of(errors) == ["analytix.E002"]
    assert setting in errors[0].msg and errors[0].hint


def test_universal_analytics_id_has_its_own_error(settings: Any) -> None:
    settings.ANALYTICS_IDS = {"GOOGLE_ANALYTICS_API_ID": "UA-12345-1"}
    errors = check_ids()
    assert ids_of(errors) == ["analytix.E003"]
    assert "G-" in errors[0].hint


def test_blank_or_missing_ids_are_fine(settings: Any) -> None:
    settings.ANALYTICS_IDS = {"GOOGLE_ANALYTICS_API_ID": "", "HUBSPOT_API_ID": None}
    assert check_ids() == []


def test_ids_must_be_a_dict(settings: Any) -> None:
    settings.ANALYTICS_IDS = ["G-ABC123DEF4"]
    assert ids_of(check_ids()) == ["analytix.E001"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"LOG_LEVEL": "loud"}, ["analytix.E005"]),
        ({"DEBUG": "yes"}, ["analytix.E006"]),
        ({"ENVIRONMENTS": "production"}, ["analytix.E007"]),
        ({"AREAS": ["signup"]}, ["analytix.E008"]),
        ({"AREAS": {"signup": "google"}}, ["analytix.E008"]),
        ({"AREAS": {"signup": ["google", "mixpanel"]}}, ["analytix.E009"]),
        ({"AREAS": {"signup": [["google"], {"x": 1}]}}, ["analytix.E009", "analytix.E009"]),
        ({"LOG_LVL": "verbose"}, ["analytix.W001"]),
        ("verbose", ["analytix.E004"]),
    ],
)
def test_config_mistakes(settings: Any, config: Any, expected: list[str]) -> None:
    settings.ANALYTICS_CONFIG = config
    assert ids_of(check_config()) == expected


def test_manage_py_check_fails_on_an_error(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"AREAS": {"signup": ["mixpanel"]}}
    with pytest.raises(SystemCheckError, match=r"analytix\.E009"):
        call_command("check")


def test_bad_settings_never_break_rendering(settings: Any) -> None:
    from django.template import Context, Template

    settings.ANALYTICS_IDS = "nonsense"
    settings.ANALYTICS_CONFIG = {"AREAS": {"default": "google"}, "LOG_LEVEL": 3, "ENVIRONMENTS": 7}
    from tests.html import page_config

    html = Template("{% load analytix %}{% analytics_scripts %}").render(Context())
    config = page_config(html)
    assert config["logLevel"] == "warning"
    assert {s["reason"] for s in config["services"]} == {"no id"}


def test_a_django_backend_without_the_request_in_context_is_a_warning(settings: Any) -> None:
    assert check_request_in_context() == []  # the test settings have it
    backend = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**backend, "OPTIONS": {"context_processors": []}}]
    messages = check_request_in_context()
    assert ids_of(messages) == ["analytix.W002"]
    assert "context_processors.request" in messages[0].hint
    jinja2 = {"BACKEND": "django.template.backends.jinja2.Jinja2", "OPTIONS": {}}
    settings.TEMPLATES = [jinja2]  # Django's Jinja2 backend passes the request itself
    assert check_request_in_context() == []


# --- analytix.W003: literal areas in the project's templates ------------------------------


def template_dirs(settings: Any, tmp_path: Any, files: dict[str, str], **backend: Any) -> None:
    """A DjangoTemplates backend with these files in its DIRS (and app directories)."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [tmp_path],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
            **backend,
        }
    ]


def test_the_projects_templates_use_known_areas() -> None:
    assert check_template_areas() == []


def test_an_unknown_literal_area_in_a_template_is_a_warning_with_file_line_and_guess(
    settings: Any, tmp_path: Any
) -> None:
    template_dirs(
        settings,
        tmp_path,
        {
            "base.html": "{% load analytix %}\n<head>\n{% analytics_scripts 'signup' %}</head>",
            "pages/join.html": '{% load analytix %}\n\n<head>{% analytics_scripts "sigup" %}',
            "pages/var.html": "{% load analytix %}{% analytics_scripts area %}",
            "logo.png": "\x89PNG\r\n\x1a\n\xff\xfe",
        },
    )
    (tmp_path / "binary.bin").write_bytes(b"\xff\xfe{% analytics_scripts 'x' %}\xff")
    (message,) = check_template_areas()
    assert message.id == "analytix.W003"
    assert f"{tmp_path / 'pages' / 'join.html'}, line 3" in message.msg
    assert "'sigup'" in message.msg
    assert "TemplateSyntaxError" in message.msg and "no error" not in message.msg
    assert "Did you mean 'signup'?" in (message.hint or "")


def test_the_no_argument_tag_is_checked_against_the_areas_setting(
    settings: Any, tmp_path: Any
) -> None:
    settings.ANALYTICS_CONFIG = {"AREAS": {"shop": ["google"]}}  # no "default" any more
    template_dirs(settings, tmp_path, {"a.html": "{% load analytix %}{%  analytics_scripts  %}"})
    (message,) = check_template_areas()
    assert "'default'" in message.msg and "Known areas: shop" in (message.hint or "")


def test_templates_found_through_explicit_loaders_are_checked(settings: Any, tmp_path: Any) -> None:
    template_dirs(
        settings,
        tmp_path,
        {"a.html": '{% analytics_scripts "nope" %}'},
        APP_DIRS=False,
        OPTIONS={
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader"],
                )
            ]
        },
    )
    assert ids_of(check_template_areas()) == ["analytix.W003"]


def test_jinja2_templates_are_checked(settings: Any, tmp_path: Any) -> None:
    (tmp_path / "page.html").write_text(
        "{{ analytics_scripts('prelogin') }}\n{{ analytics_scripts( 'prelogn' ) }}"
    )
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.jinja2.Jinja2", "DIRS": [tmp_path], "OPTIONS": {}}
    ]
    (message,) = check_template_areas()
    assert "line 2" in message.msg and "Did you mean 'prelogin'?" in (message.hint or "")


def test_manage_py_check_reports_the_unknown_area(settings: Any, tmp_path: Any) -> None:
    template_dirs(settings, tmp_path, {"a.html": '{% analytics_scripts "nope" %}'})
    with pytest.raises(SystemCheckError, match=r"analytix\.W003"):
        call_command("check", fail_level="WARNING")
