"""Run every benchmark and print one line per figure: name, figure, unit, goal, and a ratio to a reference.

A benchmark module is ``benchmarks/bench_*.py`` with a function ``run() -> list[Result]``.
Pass module name fragments to run a subset: ``python -m benchmarks register sample``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback

import benchmarks
from benchmarks.result import Result


def main(selected: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    failed = 0
    print(f"{'benchmark':<58} {'figure':>14} {'unit':<12} {'goal':<22} ratio")
    for name in names:
        try:
            results: list[Result] = importlib.import_module(f"benchmarks.{name}").run()
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others
            failed += 1
            print(f"{name:<58} {'ERROR':>14}")
            traceback.print_exc()
            continue
        for result in results:
            print(result.line(), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
