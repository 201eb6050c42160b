"""Every benchmark, one after the other: `python -m benchmarks.run [--quick] [--no-browser]`.

Install first: `pip install -e ".[test,bench]"`, `npm ci` (terser builds the minified file),
and Debian's Chromium for the page-load run. See docs/performance.md for the figures.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import pageload, render, weight


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and runs")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium A/B")
    args = parser.parse_args()
    status = weight.main()
    print()
    status |= render.main(["--quick"] if args.quick else [])
    if not args.no_browser:
        print()
        status |= pageload.main(["--runs", "5" if args.quick else "15"])
    return status


if __name__ == "__main__":
    sys.exit(main())
