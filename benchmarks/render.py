"""Render cost of the tag on a realistic page, against django-analytical and a constant string.

    python -m benchmarks.render [--repeat 7] [--quick]

Prints microseconds per page render (median of the repeats; each repeat a timeit-style loop)
for: the page without any analytics tag (baseline), with {% analytics_scripts "signup" %}
(six services), with django-analytical's four location tags (GA4 gtag, HubSpot, Meta Pixel,
Kissmetrics), and with a tag writing a constant string as long as ours (the floor). Then the
tags alone, the cost as the area table grows, and a threaded run that checks every output.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import timeit
from collections.abc import Callable
from typing import Any

from benchmarks.page import make_request, page_context, page_template, setup

NONCE = "rAnd0mN0nceVa1ue22chrs"
# The page variants this benchmark renders (benchmarks/page.py has the pasted snippets too,
# for the vendor-cost run; a string paste costs nothing to render).
PAGES = ("plain", "analytix", "analytical", "floor")
SCENARIOS = [
    ("anonymous", False, None),
    ("anonymous + nonce", False, NONCE),
    ("logged in", True, None),
    ("logged in + nonce", True, NONCE),
]
TAGS_ALONE = {
    "empty": "{% load analytix analytical bench_floor %}",
    "analytix": '{% load analytix %}{% analytics_scripts "signup" %}',
    "analytical": "{% load analytical %}{% analytical_head_top %}{% analytical_head_bottom %}"
    "{% analytical_body_top %}{% analytical_body_bottom %}",
    "floor": "{% load bench_floor %}{% bench_floor %}",
}


def fresh(request: Any) -> Any:
    """A request as it arrives: nothing decided or written for it yet (one page per render)."""
    for name in [name for name in request.__dict__ if name.startswith("_analytix")]:
        del request.__dict__[name]  # what the tag and the decision keep on the request
    return request


def _loops_for(func: Callable[[], object], target: float) -> int:
    """How many calls take about `target` seconds (like timeit's autorange)."""
    number = 1
    while timeit.timeit(func, number=number) < target and number < 1_000_000:
        number *= 2
    return number


def samples_us(
    funcs: dict[str, Callable[[], object]], repeat: int, target: float
) -> dict[str, list[float]]:
    """µs per call of each function, one sample per repeat. The repeats interleave the
    functions, so a noisy neighbour on the shared machine slows them all alike."""
    loops = {name: _loops_for(func, target) for name, func in funcs.items()}
    samples: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeat):
        for name, func in funcs.items():
            samples[name].append(timeit.timeit(func, number=loops[name]) / loops[name] * 1e6)
    return samples


def median_us(
    funcs: dict[str, Callable[[], object]], repeat: int, target: float = 0.08
) -> dict[str, float]:
    samples = samples_us(funcs, repeat, target)
    return {name: statistics.median(values) for name, values in samples.items()}


def added_us(samples: dict[str, list[float]], name: str, base: str) -> float:
    """The median over the repeats of (name - base) measured side by side in each repeat:
    steadier on a busy machine than the difference of two medians."""
    return statistics.median(a - b for a, b in zip(samples[name], samples[base], strict=True))


def _set_floor(request: Any, nonce: str | None) -> int:
    """Makes {% bench_floor %} write a constant string as long as our output for `request`."""
    from django.utils.safestring import mark_safe

    from analytix_frontend.page.rendering import render_analytics_scripts
    from benchmarks import floor

    size = len(render_analytics_scripts("signup", request=fresh(request), nonce=nonce))
    floor.FLOOR_HTML[0] = mark_safe("x" * size)
    return size


def page_renders(repeat: int) -> None:
    context = page_context()
    templates = {name: page_template(name) for name in PAGES}
    print(f"== Whole page, µs per render (median of {repeat} repeats)")
    print(
        f"{'request':<19}{'plain':>8}{'analytix':>9}{'analytical':>11}{'floor':>8}"
        f"{'ours+':>8}{'theirs+':>8}{'floor+':>8}{'ours+/theirs+':>14}{'page/floor':>11}"
    )
    for label, logged_in, nonce in SCENARIOS:
        request = make_request(logged_in=logged_in, nonce=nonce)
        _set_floor(request, nonce)
        funcs: dict[str, Callable[[], object]] = {
            name: (lambda t=template, r=request: t.render(context, fresh(r)))
            for name, template in templates.items()
        }
        samples = samples_us(funcs, repeat, target=0.03)
        us = {name: statistics.median(values) for name, values in samples.items()}
        ours, theirs, floor = (added_us(samples, n, "plain") for n in PAGES[1:])
        print(
            f"{label:<19}{us['plain']:>8.1f}{us['analytix']:>9.1f}{us['analytical']:>11.1f}"
            f"{us['floor']:>8.1f}{ours:>8.1f}{theirs:>8.1f}{floor:>8.1f}"
            f"{ours / theirs:>14.3f}{us['analytix'] / us['floor']:>11.3f}"
        )
    print(
        "ours+ / theirs+ / floor+: µs added to the plain page, paired per repeat (small "
        "differences of ~1 ms renders: noisy, see the tags alone below). page/floor: our page "
        "against the floor page."
    )


def tags_alone(repeat: int) -> None:
    """The same comparison without the page around it: each package's tags rendered in a
    RequestContext (context processors included), against an empty template in the same
    context, so each tag's added cost is measured directly rather than as a difference of
    two ~1 ms page renders."""
    from django.template import RequestContext

    engine = page_template("plain").template.engine
    templates = {name: engine.from_string(source) for name, source in TAGS_ALONE.items()}
    print(f"\n== The tags alone, µs added to an empty template (median of {repeat})")
    print(
        f"{'request':<19}{'empty':>7}{'analytix+':>10}{'analytical+':>12}{'floor+':>8}"
        f"{'ours/theirs':>12}{'ours-floor':>11}{'ours/theirs (min)':>19}"
    )
    for label, logged_in, nonce in SCENARIOS:
        request = make_request(logged_in=logged_in, nonce=nonce)
        _set_floor(request, nonce)
        funcs: dict[str, Callable[[], object]] = {
            name: (lambda t=template, r=request: t.render(RequestContext(fresh(r))))
            for name, template in templates.items()
        }
        samples = samples_us(funcs, repeat, target=0.02)
        us = {name: statistics.median(values) for name, values in samples.items()}
        least = {name: min(values) for name, values in samples.items()}
        added = {name: added_us(samples, name, "empty") for name in TAGS_ALONE}
        least_ratio = (least["analytix"] - least["empty"]) / (least["analytical"] - least["empty"])
        print(
            f"{label:<19}{us['empty']:>7.2f}{added['analytix']:>10.2f}"
            f"{added['analytical']:>12.2f}{added['floor']:>8.2f}"
            f"{added['analytix'] / added['analytical']:>12.3f}"
            f"{added['analytix'] - added['floor']:>11.2f}{least_ratio:>19.3f}"
        )
    print(
        "ours/theirs: our added cost over django-analytical's, goal <= 0.200 while serving six "
        "services to its four. ours-floor: µs above a tag writing a constant string as long. "
        "(min): the same ratio from each one's fastest repeat, the least disturbed."
    )


def area_table(count: int) -> dict[str, list[str]]:
    """`count` areas, each listing a fixed pseudo-random subset of the six services."""
    from analytix_frontend.decide.services import SERVICES

    names = [s.name for s in SERVICES]
    rng = random.Random(count)
    return {
        f"area_{i:04d}": sorted(rng.sample(names, rng.randint(0, len(names)))) for i in range(count)
    }


def scaling(repeat: int) -> None:
    from django.template import RequestContext
    from django.test.utils import override_settings

    from analytix_frontend.page.rendering import render_analytics_scripts

    print(f"\n== Cost as the area table grows, µs per call (median of {repeat})")
    print(f"{'areas':>7}{'tag function':>14}{'(min)':>8}{'whole page':>12}")
    context = page_context()
    template = page_template("plain").template.engine.get_template("bench/analytix_area.html")
    for count in (5, 100, 1000, 5000):
        areas = area_table(count)
        area = sorted(areas)[count // 2]
        page = {**context, "area": area}
        request = make_request(logged_in=False, nonce=NONCE)
        with override_settings(ANALYTICS_CONFIG={"LOG_LEVEL": "warning", "AREAS": areas}):
            samples = samples_us(
                {
                    "tag": lambda: render_analytics_scripts(
                        area,  # noqa: B023 (called at once, inside this iteration)
                        request=fresh(request),  # noqa: B023
                        nonce=NONCE,
                    ),
                    "page": lambda: template.render(
                        RequestContext(fresh(request), page)  # noqa: B023
                    ),
                },
                repeat,
                target=0.05,
            )
        us = {name: statistics.median(values) for name, values in samples.items()}
        print(f"{count:>7}{us['tag']:>14.2f}{min(samples['tag']):>8.2f}{us['page']:>12.1f}")


def check_output(html: str, area: str, expected: set[str], nonce: str) -> str | None:
    """What is wrong with the tag's part of one page, or None."""
    from tests.html import page_config, scripts

    config = page_config(html)
    if config["area"] != area:
        return f"area {config['area']!r} instead of {area!r}"
    enabled = {s["name"] for s in config["services"] if s["on"]}
    if enabled != expected:
        return f"{area}: services {sorted(enabled)} instead of {sorted(expected)}"
    ours = [
        s
        for s in scripts(html)
        if "data-analytix-config" in s.attrs or "/analytix/" in (s.attrs.get("src") or "")
    ]
    if {s.attrs.get("nonce") for s in ours} != {nonce}:
        return f"{area}: a script without the nonce {nonce!r}"
    if not any(s.attrs.get("src") for s in ours):
        return f"{area}: no first-party script"
    return None


def threaded(threads: int, renders: int) -> int:
    """Renders pages concurrently and checks each; returns the number of wrong outputs."""
    from django.template import RequestContext
    from django.test.utils import override_settings

    from analytix_frontend.decide import settings as conf
    from analytix_frontend.page import rendering

    areas = area_table(200)
    names = sorted(areas)
    print(
        f"\n== Threads: {threads} threads x {renders} pages, each thread its own nonce, user and "
        "random areas of 200; meanwhile another thread keeps dropping the caches (as "
        "setting_changed does)"
    )
    errors: list[str] = []
    stop = threading.Event()

    def worker(index: int, count: int) -> None:
        nonce = f"nonce{index:02d}"
        rng = random.Random(index)
        for _ in range(count):
            area = rng.choice(names)
            request = make_request(logged_in=index % 2 == 0, nonce=nonce)
            html = template.render(RequestContext(request, {**context, "area": area}))
            problem = check_output(html, area, set(areas[area]), nonce)
            if problem:
                errors.append(problem)

    def dropper() -> None:
        while not stop.wait(0.002):
            conf.get_settings.cache_clear()
            rendering.clear_caches()

    with override_settings(ANALYTICS_CONFIG={"LOG_LEVEL": "warning", "AREAS": areas}):
        template = page_template("plain").template.engine.get_template("bench/analytix_area.html")
        context = page_context()
        rates = {}
        for count in (1, threads):
            pool = [
                threading.Thread(target=worker, args=(i, renders * threads // count))
                for i in range(count)
            ]
            stop.clear()
            clearing = threading.Thread(target=dropper)
            clearing.start()
            started = time.perf_counter()
            for thread in pool:
                thread.start()
            for thread in pool:
                thread.join()
            rates[count] = renders * threads / (time.perf_counter() - started)
            stop.set()
            clearing.join()
    print(
        f"checked {renders * threads * 2} pages (area, services, nonce on each of our scripts): "
        f"{len(errors)} wrong"
    )
    for problem in errors[:5]:
        print("  " + problem)
    for count, rate in rates.items():
        print(f"{count} thread(s): {rate:,.0f} pages/s (checking included)")
    return len(errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render cost of {% analytics_scripts %}")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="3 repeats, fewer threaded pages")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else args.repeat
    setup()
    import django

    print(f"Python {sys.version.split()[0]}, Django {django.get_version()}")
    page_renders(repeat)
    tags_alone(repeat * 3)  # short loops: more of them
    scaling(repeat)
    return 1 if threaded(8, 50 if args.quick else 200) else 0


if __name__ == "__main__":
    sys.exit(main())
