"""`python -m benchmarks.run [--quick] [--only NAME …]`: run the scenarios, write the results.

Writes `benchmarks/results.json` and the results block of `BENCHMARKS.md`. Goals are reported,
never asserted: a missed goal does not fail the run (exit code 0); a scenario that crashes does
(exit code 1), after the others have run.
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import os
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import machine, report

SCENARIOS = ("startup", "user_load", "rate_limit_floor", "admin_scan", "ui_heartbeat",
             "warm_start")


def compile_bytecode() -> None:
    """Byte-compile the app first, as an installed app is (pip and the bundle compile at install).

    A development checkout run with PYTHONDONTWRITEBYTECODE compiles every module from source on
    every start: ~80 ms of start-up no user pays.
    """
    root = Path(__file__).resolve().parents[1]
    for package in ("rc_sms_desktop", "benchmarks"):
        compileall.compile_dir(root / package, quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="smaller account sizes and fewer runs of the slow scenarios")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, metavar="NAME",
                        help=f"run only these ({', '.join(SCENARIOS)})")
    parser.add_argument("--no-markdown", action="store_true",
                        help="write results.json only, leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine.describe(),
        "load_average_before": machine.load_average(),
        "scenarios": {},
        "errors": {},
    }
    began = time.perf_counter()
    compile_bytecode()
    for name in args.only or SCENARIOS:
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            result = module.run(args.quick)
        except Exception as error:  # one broken scenario must not lose the others' numbers
            traceback.print_exc()
            results["errors"][name] = f"{type(error).__name__}: {error}"
            continue
        result["load_average_after"] = machine.load_average()
        results["scenarios"][name] = result
        verdict = "goal met" if result.get("goal_met") else "goal MISSED"
        print(f"[bench] {name}: {time.perf_counter() - start:.0f} s, {verdict}",
              file=sys.stderr, flush=True)
    results["duration_s"] = time.perf_counter() - began
    results["load_average_after"] = machine.load_average()
    report.write(results, markdown=not args.no_markdown)
    print(report.markdown_table(results))
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
