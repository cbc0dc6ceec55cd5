"""``python -m benchmarks [NAME ...] [--scale S] [--json FILE] [--option KEY=VALUE]``."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

import benchmarks
from benchmarks.registry import BENCHMARKS, BenchmarkContext


def _discover() -> None:
    for module in pkgutil.iter_modules(benchmarks.__path__):
        if module.name.startswith("bench_"):
            importlib.import_module(f"benchmarks.{module.name}")


def main(argv: list[str] | None = None) -> int:
    _discover()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)}")
    parser.add_argument("--scale", type=float, default=1.0, help="population scale (1.0 = Laos)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--option", action="append", default=[], help="KEY=VALUE for a benchmark")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(sorted(BENCHMARKS)))
        return 0
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    options = dict(item.split("=", 1) for item in args.option)
    context = BenchmarkContext(scale=args.scale, options=options)
    results: dict[str, dict[str, object]] = {}
    for name in args.names or sorted(BENCHMARKS):
        print(f"== {name} (scale {args.scale})", flush=True)
        figures = BENCHMARKS[name](context)
        for key, value in figures.items():
            shown = f"{value:,.3f}" if isinstance(value, float) else str(value)
            print(f"   {key:<40} {shown}", flush=True)
        results[name] = figures
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
