"""consent/ sits after decide/ and page/: it may read them, they never import it, and it
reaches into neither server/ nor qa/ (tests/test_layout.py checks the rest)."""

from __future__ import annotations

from tests.test_layout import GRAPH, MODULES


def _in(package: str, module: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_consent_package_exists() -> None:
    assert "analytix_frontend.consent" in MODULES


def test_decide_and_page_never_import_consent() -> None:
    reaching = {
        module: sorted(t for t in targets if _in("analytix_frontend.consent", t))
        for module, targets in GRAPH.items()
        if _in("analytix_frontend.decide", module) or _in("analytix_frontend.page", module)
    }
    assert {m: t for m, t in reaching.items() if t} == {}


def test_consent_reads_only_decide_and_page() -> None:
    later = ("analytix_frontend.server", "analytix_frontend.qa", "analytix_frontend.checks")
    reaching = {
        module: sorted(t for t in targets if any(_in(p, t) for p in later))
        for module, targets in GRAPH.items()
        if _in("analytix_frontend.consent", module)
    }
    assert {m: t for m, t in reaching.items() if t} == {}
