"""Jinja2 support: the same output as `{% analytics_scripts %}` for Jinja2 templates.

Add the extension to the environment, e.g. in Django's Jinja2 backend
`"OPTIONS": {"extensions": ["analytix_frontend.jinja2.AnalytixExtension"]}`, then write
`{{ analytics_scripts("signup") }}` (no argument means the area "default"). The request and
the CSP nonce come from the template context, as Django's backend passes them.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context
from markupsafe import Markup

from analytix_frontend.page.nonce import find_csp_nonce
from analytix_frontend.page.rendering import render_analytics_scripts

DEFAULT_AREA = "default"


@pass_context
def analytics_scripts(context: Context, area: Any = DEFAULT_AREA) -> Markup:
    """`{{ analytics_scripts("area") }}`: the JSON config block and the first-party scripts."""
    request = context.get("request")
    html = render_analytics_scripts(
        area if isinstance(area, str) else "",
        request=request,
        nonce=find_csp_nonce(request, context.get_all()),
    )
    return Markup(html)  # already escaped by render_analytics_scripts


class AnalytixExtension(Extension):
    """Adds the `analytics_scripts` global to a Jinja2 environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["analytics_scripts"] = analytics_scripts
