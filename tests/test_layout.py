"""The package's layout shows its architecture, and imports flow one way (issue 19, point 12).

Settings and request -> `decide/` (one decision per request) -> `page/` (the HTML) ->
`server/` (calls to vendors) -> `qa/` (the panel's stats, the report): a module never imports
one of a later stage, and no module imports another that imports it back, directly or not
(imports inside functions count: they are circles all the same). `checks/` and the public
entry modules (the tag, Jinja2, the middleware, the toolbar panel, the management commands)
sit on top and may read everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "analytix_frontend"
# Each stage may import from the stages before it, never from those after.
STAGES = ("decide", "page", "server", "qa")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def _imports(module: str) -> set[str]:
    """The package's modules that `module` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` names a module; `from module import name` does not
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def test_every_stage_has_its_package() -> None:
    for stage in STAGES:
        assert f"analytix_frontend.{stage}" in MODULES


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _stage(m) is not None))
def test_no_stage_imports_a_later_one(module: str) -> None:
    stage = _stage(module)
    assert stage is not None
    later = [
        target
        for target in GRAPH[module]
        if (_stage(target) or 0) > stage or target.split(".")[1:2] == ["checks"]
    ]
    assert later == [], f"{module} reaches forward into {later}"


def test_no_import_circles() -> None:
    """Tarjan's strongly connected components: a component of two or more modules is a
    circle (a package's __init__ that imports its own modules, which never import it back,
    is not one)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert circles == []


def test_modules_stay_small() -> None:
    """One concern per module: a file past ~300 lines holds several; split it."""
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > 320}
    assert long == {}
