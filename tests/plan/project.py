"""A small project on disk for the plan's tests: a plan, templates, static JavaScript and
Python, each with the event or property a test needs, and the settings that point at them."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

PLAN = """\
events:
  sign_up:
    description: A visitor created an account.
    owner: growth
    areas: [signup]
    properties:
      method: {type: string, enum: [email, google], required: true}
      seats: {type: integer, minimum: 1}
    vendors:
      google: sign_up
      facebook_pixel: CompleteRegistration
  clicked_deploy:
    description: Deploy pressed.
    owner: product
    properties:
      plan: {type: string, enum: [free, pro]}
  report_exported:
    description: A report was exported (server side).
    owner: product
    properties:
      format: {type: string}
contact_properties:
  hubspot:
    plan_tier: {type: string, owner: growth}
  kissmetrics:
    Seats: {type: integer}
"""

TEMPLATE = """\
{% load analytix %}<html><head>{% analytics_scripts "signup" %}</head><body>
<form data-analytix-event="sign_up" data-analytix-props='{"method": "email"}'></form>
<a href="/d" data-analytix-event="clicked_deploy" data-analytix-props='{"plan": "pro"}'>Deploy</a>
<a data-analytix-event="{{ dynamic_name }}">skipped: built at run time</a>
</body></html>
"""

SCRIPT = """\
// page code
document.querySelector("#deploy").addEventListener("click", function () {
  window.analytix?.track("clicked_deploy", { plan: "pro" });
});
"""

MODULE = """\
from analytix_frontend.server import (
    record_kissmetrics_event, set_kissmetrics_properties, update_hubspot_contact,
)


def exported(user):
    record_kissmetrics_event(user.email, "report_exported", {"format": "pdf"})
    set_kissmetrics_properties(user.email, {"Seats": 3})
    update_hubspot_contact(user.email, {"plan_tier": "pro"})
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def clean_files() -> dict[str, str]:
    return {
        "analytics_plan.yaml": PLAN,
        "templates/signup.html": TEMPLATE,
        "static/js/page.js": SCRIPT,
        "app/views.py": MODULE,
    }


def use_project(settings: Any, root: Path, **config: Any) -> None:
    """Points the settings at the project under root (templates, static, Python, the plan)."""
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [root / "templates"],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
        }
    ]
    settings.STATICFILES_DIRS = [root / "static"]
    settings.BASE_DIR = root / "app"
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "PLAN": root / "analytics_plan.yaml",
        **config,
    }
