"""The benchmark harness works end to end at the smallest sizes (no timing is asserted here)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks import report
from benchmarks.floors import full_windows, latency_floor, rate_limit_floor
from benchmarks.isolation import sandbox_env
from benchmarks.sequential_loader import load_sequentially, sign_in
from benchmarks.simulator_process import (
    RunningSimulator,
    SimulatorOptions,
    served_simulator,
    signed_in_client,
)
from benchmarks.timing import percentile, run_child


def test_floor_is_the_full_windows_of_the_binding_group() -> None:
    assert full_windows(0, 50) == 0
    assert full_windows(50, 50) == 0  # one burst fits in the first window
    assert full_windows(51, 50) == 1
    assert full_windows(152, 50) == 3
    # 152 Light requests need 3 full windows; 11 Heavy need 1; Light binds.
    assert rate_limit_floor({"Light": 152, "Heavy": 11, "Medium": 2}, 6.0) == (18.0, "Light")
    assert rate_limit_floor({"Light": 10, "Heavy": 25}, 1.0) == (2.0, "Heavy")
    assert latency_floor(3, 100) == pytest.approx(0.3)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0


async def _our_verdicts(simulator: RunningSimulator) -> dict[str, str]:
    from rc_sms_desktop.workflows.loader import SenderLoader, final_verdicts

    client = await signed_in_client(simulator)
    try:
        events = [event async for event in SenderLoader(client).load()]
    finally:
        await client.aclose()
    return {v.number.id: v.headline for v in final_verdicts(events)}


def _api_requests(simulator: RunningSimulator) -> dict[str, int]:
    return {g: n for g, n in simulator.stats()["requests"].items() if g != "Auth"}


def test_sequential_peer_sends_our_requests_and_reaches_our_verdicts() -> None:
    with served_simulator(SimulatorOptions(rate_limits="off", user_numbers=12)) as simulator:
        ours = asyncio.run(_our_verdicts(simulator))
        our_requests = _api_requests(simulator)
        simulator.reset_stats()
        with httpx.Client(base_url=simulator.url, timeout=30) as http:
            sign_in(http, simulator.client_id, simulator.client_secret, simulator.jwt)
            theirs = {v.number.id: v.headline for v in load_sequentially(http)}
        their_requests = _api_requests(simulator)
    assert len(ours) == 12
    assert theirs == ours
    assert their_requests == our_requests


def test_admin_scan_child_reports_its_rows_and_peak_memory() -> None:
    options = SimulatorOptions(rate_limits="production", rate_window_s=0.5,
                               account_numbers=60, extensions=8)  # above the 43 curated numbers
    with served_simulator(options) as simulator:
        child = run_child("benchmarks.admin_scan", [simulator.url], env=sandbox_env(),
                          timeout_s=120)
        stats = simulator.stats()
    assert child.data["rows"] == 60
    assert child.peak_rss_mb > 10  # a Python process with httpx loaded: tens of MB
    assert stats["requests"]["Light"] > 0


def test_bare_window_child_reports_its_first_paint() -> None:
    child = run_child("benchmarks.startup_child", ["bare"], env=sandbox_env(), timeout_s=60)
    assert isinstance(child.data["first_paint"], float)


def test_complete_window_child_opens_every_view_after_the_first_paint() -> None:
    # The real app: the Account tab is opened at the first paint with numbers, then the
    # Campaigns tab; the run ends once they and the compose panel have painted as real views.
    child = run_child("benchmarks.startup_child", ["complete"], env=sandbox_env(), timeout_s=60)
    assert child.data["rows"] > 0
    assert child.data["complete"] > child.data["first_paint"]
    assert child.data["views"] == ["account", "campaigns", "compose"]


def test_start_up_row_judges_the_worst_run() -> None:
    startup = {"runs": 5, "window_first_paint_s": 0.30, "window_first_paint_worst_s": 0.40,
               "bare_first_paint_s": 0.15, "ratio": 2.0, "ratio_worst": 2.67,
               "complete_s": 0.45, "complete_worst_s": 0.5, "complete_ratio": 3.0,
               "complete_ratio_worst": 3.33, "window_peak_rss_mb": 90.0,
               "bare_peak_rss_mb": 60.0, "memory_ratio": 1.5, "goal_met_first_paint": False,
               "goal_met_complete": True, "goal_met_memory": True, "goal_met": False}
    rows = report.goal_rows(_results(startup=startup))
    assert "2.67× worst" in rows[0][2] and "❌" in rows[0][3]
    assert rows[1][0].startswith("1b. Complete window") and "✅" in rows[1][3]


def test_typing_child_types_the_whole_message_into_the_real_compose_panel() -> None:
    options = SimulatorOptions(rate_limits="off", user_numbers=12)
    with served_simulator(options) as simulator:
        child = run_child("benchmarks.ui_heartbeat", ["typing", simulator.url],
                          env=sandbox_env(), timeout_s=120)
    assert child.data["typed_ok"] is True
    assert child.data["keys"] > 300 and child.data["ticks"] > 10


def _results(**scenarios: Any) -> dict[str, Any]:
    return {
        "date": "2026-11-27T12:00:00+00:00", "quick": True, "duration_s": 1.0,
        "machine": {"cpu": "Test CPU", "cores": 2, "memory_gb": 1.0, "os": "Linux",
                    "python": "3.11", "qt": "Qt", "qt_platform": "offscreen"},
        "load_average_before": [1.0, 1.0, 1.0], "load_average_after": [2.0, 1.0, 1.0],
        "scenarios": scenarios, "errors": {},
    }


def test_report_writes_results_and_replaces_its_block(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    results_path = tmp_path / "results.json"
    markdown_path = tmp_path / "BENCHMARKS.md"
    markdown_path.write_text("# Benchmarks\n\nIntro stays.\n\n<!-- results:start -->\nold\n"
                             "<!-- results:end -->\n\nOutro stays.\n\n<!-- runs:start -->\n"
                             "<!-- runs:end -->\n", encoding="utf-8")
    monkeypatch.setattr(report, "RESULTS_PATH", results_path)
    monkeypatch.setattr(report, "MARKDOWN_PATH", markdown_path)
    readme_path = tmp_path / "README.md"
    readme_path.write_text("# App\n\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\n"
                           "## Development\n", encoding="utf-8")
    monkeypatch.setattr(report, "README_PATH", readme_path)
    floor = {"numbers": 150, "window_s": 6.0, "wall_s": 7.5, "floor_s": 6.0,
             "ratio_to_floor": 1.25, "throttled_429": 2, "requests_during_penalty": 1,
             "goal_met": False}
    results = _results(rate_limit_floor=floor)
    report.write(results)
    report.write(results)  # a second run replaces the block rather than adding one
    text = markdown_path.read_text(encoding="utf-8")
    assert json.loads(results_path.read_text(encoding="utf-8"))["scenarios"]["rate_limit_floor"]
    assert text.count("<!-- results:start -->") == 1
    assert "old" not in text and "Intro stays." in text and "Outro stays." in text
    assert "1.250×" in text and "2 × 429" in text and "❌ missed" in text
    assert "2.0 / 1.0 / 1.0 after" in text
    # Each run adds one line to the history of runs, under one header.
    assert text.count("| Run (UTC) |") == 1
    assert text.count("| 2026-11-27 12:00 | quick (rate_limit_floor) |") == 2
    assert "❌ rate_limit_floor" in text
    readme = readme_path.read_text(encoding="utf-8")
    assert "old table" not in readme and readme.count("<!-- bench:start -->") == 1
    assert "1.250×" in readme and "2026-11-27 12:00 UTC (quick run)" in readme
    assert readme.endswith("## Development\n")
