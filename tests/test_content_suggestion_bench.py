"""Scenario 5's compose-panel part: its figures reach the benchmark table."""

from __future__ import annotations

from benchmarks import report


def test_the_typing_figures_are_in_scenario_5s_row() -> None:
    typing = {"keys": 430, "numbers": 1000, "typing": {"max_gap_ms": 41.0, "p99_gap_ms": 12.0},
              "picker": {"max_gap_ms": 130.0}, "content_check_ms_max": 2.9,
              "suggest_apply_ms": 64.0}
    heartbeat = {
        "window_load": {"max_gap_ms": 30.0, "p99_gap_ms": 10.0},
        "account_table": {"rows": 10, "wall_s": 5.0, "max_gap_ms": 40.0, "p99_gap_ms": 12.0,
                          "filter_text_ms": 1.0, "filter_verdict_ms": 1.0,
                          "sort_number_ms": 1.0, "sort_owner_ms": 1.0},
        "content_suggestion": typing,
        "goal_met": True,
    }
    rows = report.goal_rows({"scenarios": {"ui_heartbeat": heartbeat}})
    (row,) = rows
    assert "content checks while typing (430 keys, 1,000 numbers): max **41 ms**" in row[2]
    assert "each check 2.9 ms at most" in row[2]
    assert "ranking 64 ms" in row[2]
