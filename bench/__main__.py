"""`python -m bench [name ...]`: run the bench/bench_<name>.py modules (all of them by default) and print a table."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench.common import BenchResult, print_results

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    """Names of the benchmarks: bench_demo.py -> "demo"."""
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(BENCH_DIR)])
        if m.name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    available = discover()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run: {', '.join(available)}")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    unknown = [n for n in args.names if n.removeprefix("bench_") not in available]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available)}")
    chosen = [n.removeprefix("bench_") for n in args.names] or available
    results: list[BenchResult] = []
    for name in chosen:
        print(f"running {name}…", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        results.extend(module.run())
    print_results(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
