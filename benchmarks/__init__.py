"""Benchmarks of rc-sms-desktop against the simulator (issue #8): `python -m benchmarks.run`.

Each scenario is one module with a `run(quick: bool) -> dict` function; `run.py` runs them all,
`report.py` writes `benchmarks/results.json` and the table in `BENCHMARKS.md`.
"""
