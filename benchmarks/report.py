"""Writes `benchmarks/results.json` and the Markdown table of `BENCHMARKS.md`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = ROOT / "benchmarks" / "results.json"
MARKDOWN_PATH = ROOT / "BENCHMARKS.md"
README_PATH = ROOT / "README.md"


def _f(value: Any, digits: int = 2, unit: str = "") -> str:
    if not isinstance(value, int | float) or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}{unit}"


def _status(met: Any) -> str:
    if met is None:
        return "not run"
    return "✅ met" if met else "❌ missed"


def _suggestion_cell(c: dict[str, Any] | None) -> str:
    """Scenario 5's content-check part (benchmarks/content_suggestion.py), when it ran."""
    if not c:
        return ""
    return (f"; content checks while typing ({c['keys']} keys, {c['numbers']:,} numbers): max "
            f"**{_f(c['typing']['max_gap_ms'], 0)} ms**, p99 {_f(c['typing']['p99_gap_ms'], 0)} ms, "
            f"each check {_f(c['content_check_ms_max'], 1)} ms at most; picker opened with "
            f"the sender suggestion: max **{_f(c['picker']['max_gap_ms'], 0)} ms** "
            f"(of which ranking {_f(c['suggest_apply_ms'], 0)} ms)")


def goal_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(scenario, goal, measured, status) for every scenario that ran."""
    s = results["scenarios"]
    rows: list[tuple[str, str, str, str]] = []
    if "startup" in s:
        r = s["startup"]
        bare = r["bare_first_paint_s"]
        rows.append((
            "1. Start-up (process start → first paint of the populated demo window)",
            "worst run ≤ 2.5× a bare PySide6 window; memory ≤ 1.7× bare",
            f"median {_f(r['window_first_paint_s'])} s, worst "
            f"{_f(r['window_first_paint_worst_s'])} s vs {_f(bare)} s bare = "
            f"**{_f(r['ratio_worst'], 2)}× worst run** (against its round's bare window; "
            f"{_f(r.get('ratio_worst_vs_bare_median'), 2)}× against the bare median), "
            f"{_f(r['ratio'], 2)}× median, {r['runs']} runs; peak memory {_f(r['window_peak_rss_mb'], 0)} MB vs "
            f"{_f(r['bare_peak_rss_mb'], 0)} MB = **{_f(r['memory_ratio'], 2)}×**"
            + (f"; the first start after installing (no compiled cache yet, not a goal): "
               f"{_f(r['first_start_after_install_s'])} s"
               if r.get("first_start_after_install_s") else ""),
            _status(r["goal_met_first_paint"] and r["goal_met_memory"]),
        ))
        rows.append((
            "1b. Complete window (process start → Account and Campaigns tabs opened from the "
            "first paint and painted, compose panel painted: every view usable)",
            "worst run ≤ 4× a bare PySide6 window",
            f"median {_f(r['complete_s'])} s, worst {_f(r['complete_worst_s'])} s = "
            f"**{_f(r['complete_ratio_worst'], 2)}× worst run** "
            f"({_f(r.get('complete_ratio_worst_vs_bare_median'), 2)}× against the bare "
            f"median), {_f(r['complete_ratio'], 2)}× median",
            _status(r["goal_met_complete"]),
        ))
    if "user_load" in s:
        r = s["user_load"]
        rows.append((
            f"2. User load ({r['numbers']} numbers, {r['latency_ms']:g} ms latency, limits off)",
            "≥ 5× faster than one request at a time",
            f"{_f(r['ours_s'])} s vs sequential {_f(r['sequential_s'])} s = "
            f"**{_f(r['speedup_vs_sequential'], 1)}×**; floor {_f(r['floor_s'])} s "
            f"({_f(r['ratio_to_floor'])}× floor); {r['requests']['ours']} requests each",
            _status(r["goal_met"]),
        ))
    if "rate_limit_floor" in s:
        r = s["rate_limit_floor"]
        rows.append((
            f"3. Rate-limit floor ({r['numbers']} numbers, production limits, "
            f"{r['window_s']:g} s windows)",
            "≤ 1.10× floor, zero 429s",
            f"{_f(r['wall_s'])} s vs floor {_f(r['floor_s'])} s = "
            f"**{_f(r['ratio_to_floor'], 3)}×**; {r['throttled_429']} × 429, "
            f"{r['requests_during_penalty']} during a penalty",
            _status(r["goal_met"]),
        ))
    if "admin_scan" in s:
        r = s["admin_scan"]
        rows.append((
            f"4. Admin scan ({r['numbers']:,} numbers / {r['extensions']:,} extensions, "
            f"{r['window_s']:g} s windows)",
            "≤ 1.10× floor, zero 429s, peak < 250 MB",
            f"{_f(r['wall_s'], 1)} s vs floor {_f(r['floor_s'], 1)} s = "
            f"**{_f(r['ratio_to_floor'], 3)}×**; {r['throttled_429']} × 429; "
            f"peak {_f(r['peak_rss_mb'], 0)} MB",
            _status(r["goal_met"]),
        ))
    if "ui_heartbeat" in s:
        r = s["ui_heartbeat"]
        w, t = r["window_load"], r["account_table"]
        rows.append((
            "5. UI responsiveness (5 ms heartbeat, offscreen)",
            "largest event-loop gap ≤ 50 ms (window load: worst run)",
            f"window load (3, views built, Account tab opened): worst **{_f(w['max_gap_ms'], 1)} "
            f"ms** (median {_f(w.get('max_gap_ms_median'), 1)} ms, {w.get('runs', 1)} runs), "
            f"p99 {_f(w['p99_gap_ms'], 0)} ms; "
            + (f"typing in the compose panel ({r['compose_typing']['keys']} keys, one per 20 ms): "
               f"max **{_f(r['compose_typing']['max_gap_ms'], 0)} ms**, p99 "
               f"{_f(r['compose_typing']['p99_gap_ms'], 0)} ms; "
               if "compose_typing" in r else "")
            + f"Account tab scanning (4, {t['rows']:,} rows, scan {_f(t['wall_s'], 0)} s): "
            f"max **{_f(t['max_gap_ms'], 0)} ms**, p99 {_f(t['p99_gap_ms'], 0)} ms; filter "
            f"{_f(t['filter_text_ms'], 0)} ms (text) / {_f(t['filter_verdict_ms'], 0)} ms "
            f"(verdict), sort {_f(t['sort_number_ms'], 0)}–{_f(t['sort_owner_ms'], 0)} ms"
            + _suggestion_cell(r.get("content_suggestion")),
            _status(r["goal_met"]),
        ))
    if "warm_start" in s:
        r = s["warm_start"]
        rows.append((
            "6. Warm start (cached verdicts, network down)",
            "< 1 s",
            f"cache path **{_f(r['cache_path_s'] * 1000, 0)} ms** ({r['cache_path_verdicts']} "
            f"verdicts); whole app, process start → window painted with them: "
            f"{_f(r['window_process_start_to_paint_s'])} s",
            _status(r["goal_met"]) + ("" if r["goal_met_whole_app"] else
                                                  " (whole app: ❌ missed)"),
        ))
    return rows


def markdown_table(results: dict[str, Any]) -> str:
    lines = ["| Scenario | Goal | Measured | Status |", "|---|---|---|---|"]
    for row in goal_rows(results):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines)


def machine_text(results: dict[str, Any]) -> str:
    m = results["machine"]
    return (
        f"- Date: {results['date']} ({'quick run' if results['quick'] else 'full run'}, "
        f"{_f(results['duration_s'], 0)} s in all)\n"
        f"- CPU: {m['cpu']}, {m['cores']} cores (shared with other work: load average "
        f"{' / '.join(map(str, results['load_average_before']))} before, "
        f"{' / '.join(map(str, results['load_average_after']))} after — 1/5/15 min)\n"
        f"- Memory: {m['memory_gb']} GB; OS: {m['os']}\n"
        f"- Python {m['python']}; {m['qt']}; Qt platform `offscreen`\n"
    )


def _replace_block(path: Path, start: str, end: str, body: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{start}\n{body}{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    elif path == MARKDOWN_PATH:
        text = (text.rstrip() + "\n\n" if text else "# Benchmarks\n\n") + block + "\n"
    else:
        return  # the README keeps its table only where it marks one
    path.write_text(text, encoding="utf-8")


RUNS_START, RUNS_END = "<!-- runs:start -->", "<!-- runs:end -->"
RUNS_HEADER = ("| Run (UTC) | Kind | 1. first paint, worst (median) | 1b. complete, worst | "
               "memory | 5. gaps: window load worst / typing / Account tab | every goal |\n"
               "|---|---|---|---|---|---|---|\n")


def run_row(results: dict[str, Any]) -> str:
    """One line per run for the history of runs in BENCHMARKS.md (the goals' key figures)."""
    s = results["scenarios"]
    startup, beat = s.get("startup"), s.get("ui_heartbeat")
    first = complete = memory = gaps = "—"
    if startup:
        strict = startup.get("ratio_worst_vs_bare_median")
        first = (f"{_f(startup['ratio_worst'])}× ({_f(startup['ratio'])}×)"
                 + (f"; {_f(strict)}× vs bare median" if strict is not None else ""))
        complete = f"{_f(startup['complete_ratio_worst'])}×"
        memory = f"{_f(startup['memory_ratio'])}×"
    if beat:
        typing_gaps = [float(part["max_gap_ms"]) for part in (
            beat.get("compose_typing"), (beat.get("content_suggestion") or {}).get("typing"))
            if part]
        typing = max(typing_gaps) if typing_gaps else None
        gaps = (f"{_f(beat['window_load']['max_gap_ms'], 0)} / {_f(typing, 0)} / "
                f"{_f(beat['account_table']['max_gap_ms'], 0)} ms")
    met = [r.get("goal_met") for r in s.values()]
    every = ("✅ all met" if met and all(met) and not results["errors"] else
             "❌ " + ", ".join(sorted(name for name, r in s.items() if not r.get("goal_met"))
                              + sorted(f"{name} crashed" for name in results["errors"])))
    kind = ("quick" if results["quick"] else "full") + (
        "" if len(s) + len(results["errors"]) >= 6 else f" ({', '.join(s)})")
    return (f"| {results['date'][:16].replace('T', ' ')} | {kind} | {first} | {complete} | "
            f"{memory} | {gaps} | {every} |\n")


def _append_run(path: Path, row: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if RUNS_START not in text or RUNS_END not in text:
        return
    before, rest = text.split(RUNS_START, 1)
    body, after = rest.split(RUNS_END, 1)
    if not body.strip():
        body = "\n" + RUNS_HEADER
    path.write_text(before + RUNS_START + body + row + RUNS_END + after, encoding="utf-8")


def write(results: dict[str, Any], *, markdown: bool = True) -> None:
    """results.json, the block of BENCHMARKS.md and (where marked) the README's table."""
    RESULTS_PATH.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    if not markdown:
        return
    table = markdown_table(results)
    _append_run(MARKDOWN_PATH, run_row(results))
    _replace_block(MARKDOWN_PATH, "<!-- results:start -->", "<!-- results:end -->",
                   f"{table}\n\n{machine_text(results)}")
    m = results["machine"]
    _replace_block(README_PATH, "<!-- bench:start -->", "<!-- bench:end -->",
                   f"Measured {results['date'][:16].replace('T', ' ')} UTC "
                   f"({'quick' if results['quick'] else 'full'} run), {m['cpu']}, "
                   f"{m['cores']} cores:\n\n{table}\n")
