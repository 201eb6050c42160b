"""Finds the events a project tracks, and the contact properties it sets, in its code: each
with its file and line.

- templates (every directory of every template engine): `data-analytix-event="Name"`, with
  its `data-analytix-props='{...}'` when they are JSON;
- the project's static JavaScript (what the staticfiles finders list, less this package's
  own files and minified copies): `analytix.track("Name"…)`, `analytix.service(…).track(…)`;
- the project's Python (its apps outside site-packages, and BASE_DIR): the server calls
  `record_kissmetrics_event(person, "Name", {...})`, `set_kissmetrics_properties(person,
  {...})`, `update_hubspot_contact(email, {...})`, `submit_hubspot_form(guid, {...})`.

A name built at run time (a template variable, a JS variable, an f-string) cannot be seen and
is skipped. Each file's findings are kept per process by its modification time and size, so
checking again (runserver's reloads in one process, the command) reads only what changed.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analytix_frontend.plan.model import Where

EVENT = "event"
HUBSPOT_PROPERTY = "hubspot"
KISSMETRICS_PROPERTY = "kissmetrics"


@dataclass(frozen=True)
class Found:
    kind: str  # EVENT, or the vendor of a contact property
    name: str
    where: Where
    source: str  # "template", "javascript" or "python"
    properties: dict[str, Any] | None = field(default=None, compare=False)  # literal ones
    property_names: tuple[str, ...] | None = None  # names only (Python dict literals)


TEMPLATE_EVENT = re.compile(r"""data-analytix-event\s*=\s*(?:"([^"]*)"|'([^']*)')""")
TEMPLATE_PROPS = re.compile(r"""data-analytix-props\s*=\s*(?:"([^"]*)"|'([^']*)')""")
JS_TRACK = re.compile(
    r"""\banalytix\s*(?:\(\s*\)\s*)?\??\.\s*(?:service\s*\([^()]*\)\s*\??\.\s*)?track\s*\(\s*"""
    r"""(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`([^`$\\]*)`)"""
)
PY_CALLS = {
    # function -> (the argument holding the event name, the argument holding the dict, kind)
    "record_kissmetrics_event": ((1, "event"), (2, "properties"), EVENT),
    "set_kissmetrics_properties": (None, (1, "properties"), KISSMETRICS_PROPERTY),
    "update_hubspot_contact": (None, (1, "properties"), HUBSPOT_PROPERTY),
    "submit_hubspot_form": (None, (1, "fields"), HUBSPOT_PROPERTY),
}
DYNAMIC = ("{{", "{%", "{#")
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "migrations"})
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx")
OWN_PACKAGE = Path(__file__).resolve().parent.parent

_cache: dict[tuple[str, str], tuple[tuple[int, int], list[Found]]] = {}


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def scan_template(text: str, file: str) -> list[Found]:
    if "data-analytix-event" not in text:
        return []
    found = []
    for match in TEMPLATE_EVENT.finditer(text):
        name = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
        if not name.strip() or any(mark in name for mark in DYNAMIC):
            continue
        # The same element's props: between the tag's "<" and its ">".
        start = text.rfind("<", 0, match.start())
        end = text.find(">", match.end())
        props = TEMPLATE_PROPS.search(text, max(start, 0), end if end >= 0 else len(text))
        properties = None
        if props:
            raw = html.unescape(props.group(1) if props.group(1) is not None else props.group(2))
            if not any(mark in raw for mark in DYNAMIC):
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = None
                properties = parsed if isinstance(parsed, dict) else None
        else:
            properties = {}
        where = Where(file, _line(text, match.start()))
        found.append(Found(EVENT, name.strip(), where, "template", properties))
    return found


def scan_javascript(text: str, file: str) -> list[Found]:
    if "track" not in text:
        return []
    found = []
    for match in JS_TRACK.finditer(text):
        raw = next(g for g in match.groups() if g is not None)
        try:
            name = json.loads(f'"{raw}"') if "\\" in raw else raw
        except ValueError:
            name = raw
        if name.strip():
            where = Where(file, _line(text, match.start()))
            found.append(Found(EVENT, name.strip(), where, "javascript"))
    return found


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _literal_keys(node: ast.expr | None) -> tuple[str, ...] | None:
    """The keys of a dict literal when all are text (no **spread), else None."""
    if not isinstance(node, ast.Dict) or any(k is None for k in node.keys):
        return None
    keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    return tuple(keys) if len(keys) == len(node.keys) else None


def scan_python(text: str, file: str) -> list[Found]:
    if not any(name in text for name in PY_CALLS):
        return []
    try:
        tree = ast.parse(text, file)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in PY_CALLS:
            continue
        event_arg, dict_arg, kind = PY_CALLS[name]
        where = Where(file, node.lineno)
        keys = _literal_keys(_argument(node, *dict_arg))
        if event_arg is not None:
            event = _argument(node, *event_arg)
            if isinstance(event, ast.Constant) and isinstance(event.value, str):
                if event.value.strip():
                    found.append(
                        Found(EVENT, event.value.strip(), where, "python", property_names=keys)
                    )
        else:
            found += [Found(kind, key, where, "python") for key in keys or ()]
    return found


SCANNERS = {"template": scan_template, "javascript": scan_javascript, "python": scan_python}


def scan_file(path: str, source: str) -> list[Found]:
    """One file's findings, read again only when it changed (plain os calls: this runs on
    every file of the project at each check)."""
    try:
        stat = os.stat(path)
    except OSError:
        return []
    key = (path, source)
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        found: list[Found] = []
    else:
        found = SCANNERS[source](text, path)
    _cache[key] = (stamp, found)
    return found


def _walk(root: Path, suffixes: tuple[str, ...] | None = None) -> Iterator[str]:
    """Files under root, skipping hidden directories, virtualenvs and SKIP_DIRS."""
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIP_DIRS
            and not d.startswith(".")
            and not os.path.exists(os.path.join(directory, d, "pyvenv.cfg"))
        )
        for name in sorted(files):
            if suffixes is None or name.endswith(suffixes):
                yield os.path.join(directory, name)


def template_files() -> Iterator[str]:
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    installed = _installed_roots()
    seen: set[Path] = set()
    for backend in engines.all():
        if isinstance(backend, DjangoTemplates):
            dirs = [
                d
                for loader in backend.engine.template_loaders
                for d in getattr(loader, "get_dirs", list)()
            ]
        else:
            dirs = list(getattr(backend, "template_dirs", ()))
        for directory in dirs:
            root = Path(directory).resolve()
            if root in seen or not root.is_dir() or _outside_project(root, installed):
                continue
            seen.add(root)
            yield from _walk(root)


def javascript_files() -> Iterator[str]:
    from django.contrib.staticfiles import finders

    seen: set[Path] = set()
    for finder in finders.get_finders():
        for relative, storage in finder.list(["CVS", ".*", "*~"]):
            if relative.startswith("analytix/") or not relative.endswith(JS_SUFFIXES):
                continue  # this package's own files
            if relative.endswith((".min.js", ".bundle.js")) or "node_modules" in relative:
                continue
            try:
                path = Path(storage.path(relative)).resolve()
            except NotImplementedError:  # a storage without local files
                continue
            if path not in seen and not path.is_relative_to(OWN_PACKAGE):
                seen.add(path)
                yield str(path)


def _installed_roots() -> list[Path]:
    paths = sysconfig.get_paths()
    return [Path(paths[key]).resolve() for key in ("purelib", "platlib", "stdlib") if key in paths]


def _outside_project(root: Path, installed: list[Path]) -> bool:
    """This package, or anything installed (Django's own admin templates...)."""
    if root.is_relative_to(OWN_PACKAGE) or any(root.is_relative_to(i) for i in installed):
        return True
    return "site-packages" in root.parts or "dist-packages" in root.parts


def python_files() -> Iterator[str]:
    from django.apps import apps
    from django.conf import settings

    installed = _installed_roots()
    roots = [Path(app.path).resolve() for app in apps.get_app_configs()]
    base = getattr(settings, "BASE_DIR", None)
    if base:
        roots.append(Path(base).resolve())
    seen: set[str] = set()
    for root in roots:
        if _outside_project(root, installed):
            continue
        for path in _walk(root, (".py",)):
            if path not in seen:
                seen.add(path)
                yield path


def scan_project() -> list[Found]:
    """Everything the project's templates, static JavaScript and Python track or set."""
    found: list[Found] = []
    for path in template_files():
        found += scan_file(path, "template")
    for path in javascript_files():
        found += scan_file(path, "javascript")
    for path in python_files():
        found += scan_file(path, "python")
    return found
