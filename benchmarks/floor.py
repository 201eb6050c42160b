"""`{% bench_floor %}`: a tag that writes a constant string, the floor any tag can reach."""

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

FLOOR_HTML: list[SafeString] = [mark_safe("")]  # set by the benchmark to our output's size


class FloorNode(template.Node):
    def render(self, context: Context) -> SafeString:
        return FLOOR_HTML[0]


@register.tag("bench_floor")
def bench_floor(parser: template.base.Parser, token: template.base.Token) -> FloorNode:
    return FloorNode()
