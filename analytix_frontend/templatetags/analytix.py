"""`{% analytics_scripts "area" %}`: a thin wrapper over `rendering.render_analytics_scripts`;
`{% analytix_consent_banner %}` and `{% analytix_privacy_status %}` over `consent/banner.py`."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.base import FilterExpression, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString

from analytix_frontend.consent.banner import render_consent_banner, render_privacy_status
from analytix_frontend.decide.settings import get_settings
from analytix_frontend.page.config import nearest_area
from analytix_frontend.page.nonce import find_csp_nonce
from analytix_frontend.page.rendering import render_analytics_scripts

register = template.Library()

DEFAULT_AREA = "default"


class AnalyticsScriptsNode(template.Node):
    def __init__(self, area: FilterExpression | None) -> None:
        self.area = area
        # A literal area ("signup") needs no resolving on every render.
        literal = DEFAULT_AREA if area is None else _literal(area)
        self.literal = literal

    def render(self, context: Context) -> SafeString:
        area = self.literal
        if area is None and self.area is not None:
            area = self.area.resolve(context, ignore_failures=True)
        request = context.get("request")
        return render_analytics_scripts(
            area if isinstance(area, str) else "",
            request=request,
            nonce=find_csp_nonce(request, context),
        )


def _literal(area: FilterExpression) -> str | None:
    return area.var if isinstance(area.var, str) and not area.filters else None


@register.tag("analytics_scripts")
def analytics_scripts(parser: Parser, token: Token) -> AnalyticsScriptsNode:
    bits = token.split_contents()
    if len(bits) > 2:
        raise template.TemplateSyntaxError(
            f'{bits[0]} takes at most one argument, the page area, e.g. {{% {bits[0]} "signup" %}}'
        )
    if len(bits) == 1:
        return AnalyticsScriptsNode(None)
    area = parser.compile_filter(bits[1])
    literal = _literal(area)
    # An unknown literal area: in development (DEBUG) an error at once; in production never a
    # failed page (it renders like an unknown variable area: a warning, no vendor), and
    # `manage.py check` finds it in the project's templates before deploy (analytix.W003).
    if literal is not None and settings.DEBUG:
        known = get_settings().areas
        if literal not in known:
            nearest = nearest_area(literal, known)
            raise template.TemplateSyntaxError(
                f"{bits[0]}: unknown page area {literal!r}."
                + (f" Did you mean {nearest!r}?" if nearest else "")
                + f" Known areas: {', '.join(sorted(known))}. Add it to "
                "ANALYTICS_CONFIG['AREAS'] or use one of these."
            )
    return AnalyticsScriptsNode(area)


@register.simple_tag(takes_context=True)
def analytix_consent_banner(context: Context, policy_url: str | None = None) -> SafeString:
    """The optional consent banner: `{% analytix_consent_banner policy_url="/privacy/" %}`."""
    request = context.get("request")
    return render_consent_banner(request, find_csp_nonce(request, context), policy_url)


@register.simple_tag(takes_context=True)
def analytix_privacy_status(context: Context) -> SafeString:
    """ "Opt-Out Request Honored" where Global Privacy Control is honoured."""
    return render_privacy_status(context.get("request"))
