"""What the tracking plan's system check costs at `runserver`'s start on a large project.

    python -m benchmarks.plan_check [--templates 3000] [--repeat 7]

Generates a project in a temporary directory: N templates (a realistic ~2 KB page each, one
in four with a data-analytix-event element), N/10 static scripts (half with analytix.track),
N/10 Python modules (a tenth with server calls), and a plan of 60 events. Then times, in one
process, each repeat interleaved (the machine is shared: read the ratios and the spread):

  django     every system check Django and the other apps run (what `check` costs anyway)
  areas      the package's own template check (analytix.W003), which reads every template
  plan cold  the plan's checks with an empty per-file cache (a fresh process: runserver's
             first start and each autoreload, which starts a new process)
  plan warm  the same again in one process (files unchanged: only their stat is read)

Files come from the OS page cache in every run (a real cold disk is slower for everyone).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PAGE = """{%% extends "base.html" %%}{%% load static %%}
{%% block content %%}<main class="page-%(n)d"><h1>Page %(n)d</h1>
%(body)s
<ul>{%% for item in items %%}<li><a href="{{ item.url }}">{{ item.title }}</a></li>
{%% endfor %%}</ul>
%(event)s
</main>{%% endblock %%}
"""
PARAGRAPH = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.</p>\n"


def make_project(root: Path, templates: int) -> tuple[Path, int]:
    events = [f"event_{i}" for i in range(60)]
    (root / "templates").mkdir()
    for n in range(templates):
        event = ""
        if n % 4 == 0:
            name = events[n % len(events)] if n % 40 else "Unplanned Thing"
            props = f"data-analytix-props='{{\"n\": {n}}}'"
            event = f'<button data-analytix-event="{name}" {props}>Go</button>'
        body = PARAGRAPH * 20
        directory = root / "templates" / f"section{n % 50}"
        directory.mkdir(exist_ok=True)
        (directory / f"page{n}.html").write_text(PAGE % {"n": n, "body": body, "event": event})
    (root / "static").mkdir()
    for n in range(templates // 10):
        track = f'analytix.track("{events[n % 60]}", {{n: {n}}});' if n % 2 else ""
        (root / "static" / f"module{n}.js").write_text(
            "(function () {\n  'use strict';\n" + "  var x = 1;\n" * 80 + f"  {track}\n}})();\n"
        )
    (root / "app").mkdir()
    for n in range(templates // 10):
        call = (
            f'record_kissmetrics_event(user, "{events[n % 60]}", {{"n": 1}})' if n % 10 == 0 else ""
        )
        (root / "app" / f"views{n}.py").write_text(
            "from django.http import HttpResponse\n\n\n"
            + "def view(request):\n    return HttpResponse('ok')\n\n\n" * 20
            + f"def tracked(user):\n    {call or 'pass'}\n"
        )
    plan = root / "analytics_plan.yaml"
    plan.write_text(
        "events:\n"
        + "".join(
            f"  {e}:\n    owner: growth\n    properties:\n      n: {{type: integer}}\n"
            for e in events
        )
    )
    return plan, templates + 2 * (templates // 10)


def configure(root: Path, plan: Path) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=True,
        SECRET_KEY="bench",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.staticfiles",
            "analytix_frontend",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [root / "templates"],
                "APP_DIRS": True,
            }
        ],
        STATIC_URL="/static/",
        STATICFILES_DIRS=[root / "static"],
        BASE_DIR=root / "app",
        DATABASES={},
        ROOT_URLCONF="benchmarks.plan_check",
        ANALYTICS_CONFIG={"PLAN": plan},
    )
    django.setup()


def _urls() -> list[object]:
    from django.urls import include, path

    return [path("analytix/", include("analytix_frontend.urls"))]


def __getattr__(name: str) -> object:  # ROOT_URLCONF of the generated project
    if name == "urlpatterns":
        return _urls()
    raise AttributeError(name)


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        plan, files = make_project(root, args.templates)
        configure(root, plan)
        from django.core import checks

        from analytix_frontend.checks import check_template_areas
        from analytix_frontend.checks.plan import check_plan
        from analytix_frontend.plan import scan

        plan_ids = {"analytix.W601", "analytix.W602", "analytix.W603", "analytix.W604"}

        def django_checks() -> None:
            checks.run_checks()  # everything, the plan's check included: subtracted below

        def plan_cold() -> list[object]:
            scan._cache.clear()
            return check_plan()

        found = plan_cold()
        kinds = sorted({str(m.id) for m in found if m.id in plan_ids})
        print(
            f"== {args.templates} templates, {files} files in all; the check found "
            f"{len(found)} problems ({', '.join(kinds)})"
        )
        runs: dict[str, list[float]] = {
            "django (all checks)": [],
            "areas (W003)": [],
            "plan cold": [],
            "plan warm": [],
        }
        for _ in range(args.repeat):
            runs["plan cold"].append(timed(plan_cold))
            runs["plan warm"].append(timed(check_plan))
            runs["areas (W003)"].append(timed(check_template_areas))
            runs["django (all checks)"].append(timed(django_checks))
        print(f"{'check':22} {'median ms':>10} {'min':>8} {'max':>8}")
        for name, values in runs.items():
            ms = [v * 1000 for v in values]
            print(f"{name:22} {statistics.median(ms):10.1f} {min(ms):8.1f} {max(ms):8.1f}")
        cold, warm = statistics.median(runs["plan cold"]), statistics.median(runs["plan warm"])
        areas = statistics.median(runs["areas (W003)"])
        ratios = [c / a for c, a in zip(runs["plan cold"], runs["areas (W003)"], strict=True)]
        print(
            f"plan cold / areas (W003): {cold / areas:.2f} (per repeat {min(ratios):.2f}-"
            f"{max(ratios):.2f}); plan warm / cold: {warm / cold:.2f}"
        )
        print(f"per file, cold: {cold / files * 1e6:.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
