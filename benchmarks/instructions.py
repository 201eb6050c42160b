"""Render cost in CPU instructions, counted by valgrind: the same on a busy machine as on a
quiet one, where wall-clock timings of a few microseconds are not.

    python -m benchmarks.instructions [--renders 2000]

For each of the tags of `benchmarks.render` (our tag, django-analytical's four, a tag writing a
constant string as long as ours, and an empty template), two processes run under
`valgrind --tool=callgrind` rendering the tag N and 2N times in a RequestContext; the
difference is N renders exactly (set-up, imports and Django's start cancel out), so each tag's
instructions per render, less the empty template's, are its added cost. Prints the ratio
against django-analytical's. Slow (valgrind runs Python ~50x slower): a few minutes. Needs
valgrind (Debian's `valgrind` package).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

from benchmarks.page import make_request, page_template, setup
from benchmarks.render import NONCE, TAGS_ALONE, fresh

COLLECTED = re.compile(r"Collected : (\d+)")


def _render_loop(name: str, renders: int) -> None:
    """What each valgrind'd process runs: `renders` renders of one tag, nothing printed."""
    from django.template import RequestContext

    setup()
    engine = page_template("plain").template.engine
    template = engine.from_string(TAGS_ALONE[name])
    request = make_request(logged_in=False, nonce=NONCE)
    for _ in range(renders):
        template.render(RequestContext(fresh(request)))


def _instructions(name: str, renders: int) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, "-m", "benchmarks.instructions", "--loop", name, str(renders),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict layouts in every process
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    match = COLLECTED.search(done.stderr)
    if match is None:
        raise SystemExit(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def per_render(name: str, renders: int) -> float:
    return (_instructions(name, 2 * renders) - _instructions(name, renders)) / renders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=2000)
    parser.add_argument("--loop", nargs=2, metavar=("TAG", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.loop:
        _render_loop(args.loop[0], int(args.loop[1]))
        return 0
    counts = {name: per_render(name, args.renders) for name in TAGS_ALONE}
    empty = counts["empty"]
    added = {name: count - empty for name, count in counts.items() if name != "empty"}
    print(f"== Instructions per render (valgrind, {args.renders} renders; anonymous + nonce)")
    print(f"{'tag':<12}{'per render':>14}{'added':>12}")
    for name, count in counts.items():
        print(f"{name:<12}{count:>14,.0f}{added.get(name, 0):>12,.0f}")
    print(
        f"ours/theirs: {added['analytix'] / added['analytical']:.3f} "
        f"(ours {added['analytix']:,.0f} against django-analytical's "
        f"{added['analytical']:,.0f}; the floor, a constant string as long: "
        f"{added['floor']:,.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
