"""Nothing we ship needs 'unsafe-inline' or 'unsafe-eval': no inline event handlers, no eval
or string-compiled code, no javascript: URLs, in the JS, the templates or the tag's output.
(ESLint's no-eval / no-implied-eval / no-new-func / no-script-url cover the JS too; this also
covers templates, attribute-based handlers and string timers ESLint does not see.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from tests.html import parse

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    [*ROOT.joinpath("static").rglob("*.js"), *ROOT.joinpath("templates").rglob("*.html")]
)
UNSAFE = {
    "eval": re.compile(r"\beval\s*\("),
    "new Function": re.compile(r"\bnew\s+Function\b|\bFunction\s*\("),
    "string timer": re.compile(r"\bset(?:Timeout|Interval)\s*\(\s*['\"`]"),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "inline handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "handler via setAttribute": re.compile(r"setAttribute\(\s*['\"]on", re.IGNORECASE),
    "HTML injection": re.compile(
        r"\.(?:innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write"
    ),
}


def code_only(text: str) -> str:
    """The text without comments, so prose may name what the code must not do."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"(^|\s)//[^\n]*", r"\1", text)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_file_has_no_unsafe_construct(path: Path) -> None:
    text = code_only(path.read_text())
    found = [name for name, pattern in UNSAFE.items() if pattern.search(text)]
    assert found == []


def test_the_scanner_finds_what_it_looks_for() -> None:
    samples = [
        "eval(x)",
        "new Function('a')",
        "setTimeout('x()', 1)",
        "a.href = 'JavaScript:void(0)'",
        '<img src=x onerror="y">',
        "el.setAttribute('onclick', f)",
        "el.innerHTML = s",
    ]
    for sample in samples:
        assert any(p.search(code_only(sample)) for p in UNSAFE.values()), sample


def test_rendered_tag_has_no_handler_attributes_or_inline_code() -> None:
    html = Template('{% load analytix %}{% analytics_scripts "signup" %}').render(Context())
    for element in parse(html):
        assert not [a for a in element.attrs if a.startswith("on")]
        if element.tag == "script":
            # Either external (src) or a JSON data block: never inline code.
            assert element.attrs.get("src") or element.attrs.get("type") == "application/json"
