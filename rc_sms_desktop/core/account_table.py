"""The account view's columns, its summary line and its CSV/JSON export, over `AccountRow`s.

Shared by the table model (ui/admin_model.py), the exports of the Account view and the `check
--account` command line, so the same column reads the same everywhere. Pure: no I/O, no Qt.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rc_sms_desktop.core.account_join import UNASSIGNED, AccountRow
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.core.text_safety import csv_cell


@functools.lru_cache(maxsize=65_536)
def _format_e164(e164: str) -> str:
    # Each number in its own country's style; unparseable values come back raw. Cached: parsing
    # costs ~60 µs and the table, its search index and the exports ask again for every update.
    return format_number(e164, None)


def _time_text(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the account view: its title, its text and how it sorts."""

    key: str
    title: str
    text: Callable[[AccountRow], str]
    sort_key: Callable[[AccountRow], Any]


def _owner_text(row: AccountRow) -> str:
    return row.owner.describe() if row.owner.kind != UNASSIGNED else ""


COLUMNS: tuple[Column, ...] = (
    Column("number", "Number", lambda r: _format_e164(r.e164), lambda r: r.e164),
    Column("label", "Label", lambda r: r.number.label or "", lambda r: (r.number.label or "").casefold()),
    Column("verdict", "Verdict", lambda r: r.mark.label, lambda r: r.mark.rank),
    Column("reason", "Main reason", lambda r: r.reason_text, lambda r: r.reason_code),
    Column("usage_type", "Usage type", lambda r: r.number.usage_type or "", lambda r: r.number.usage_type or ""),
    Column("status", "Status", lambda r: r.number.status or "", lambda r: r.number.status or ""),
    Column("owner", "Owner", _owner_text, lambda r: _owner_text(r).casefold()),
    Column("owner_kind", "Owner kind", lambda r: r.owner.kind, lambda r: r.owner.kind),
    Column(
        "sms_holder",
        "SMS holder",
        lambda r: r.sms_holder.describe() if r.sms_holder else "",
        lambda r: (r.sms_holder.describe() if r.sms_holder else "").casefold(),
    ),
    Column("features", "Features", lambda r: ", ".join(r.features), lambda r: ", ".join(r.features)),
    Column("campaign", "Campaign", lambda r: r.campaign_status or "", lambda r: r.campaign_status or ""),
    Column("brand", "Brand", lambda r: r.brand_status or "", lambda r: r.brand_status or ""),
    Column("tier", "Tier", lambda r: r.tier or "", lambda r: r.tier or ""),
    Column("use_cases", "Use cases", lambda r: ", ".join(r.use_cases), lambda r: ", ".join(r.use_cases)),
    Column("as_of", "As of", lambda r: _time_text(r.as_of), lambda r: _time_text(r.as_of)),
)
COLUMN_INDEX = {column.key: i for i, column in enumerate(COLUMNS)}


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """Counts for the summary bar: how many rows can send, are blocked (by reason), or pending."""

    total: int
    can_send: int
    blocked: int
    unknown: int
    checking: int
    blocked_by_reason: tuple[tuple[str, int], ...]  # (reason summary, count), largest first

    def text(self) -> str:
        """"412 can send SMS, 37 blocked: 20 campaign pending, 9 no SMS feature"."""
        parts = [f"{self.can_send} can send SMS", f"{self.blocked} blocked"]
        text = ", ".join(parts)
        if self.blocked_by_reason:
            text += ": " + ", ".join(f"{n} {reason}" for reason, n in self.blocked_by_reason)
        if self.unknown:
            text += f"; {self.unknown} unknown"
        if self.checking:
            text += f"; {self.checking} still checking"
        return text


def summarize(rows: Iterable[AccountRow]) -> AccountSummary:
    total = can_send = blocked = unknown = checking = 0
    reasons: dict[str, int] = {}
    for row in rows:
        total += 1
        mark = row.mark
        if mark is Mark.READY:
            can_send += 1
        elif mark is Mark.BLOCKED:
            blocked += 1
            reasons[row.reason_summary] = reasons.get(row.reason_summary, 0) + 1
        elif mark is Mark.LOADING:
            checking += 1
        else:
            unknown += 1
    ordered = tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    return AccountSummary(total, can_send, blocked, unknown, checking, ordered)


def rows_to_csv(rows: Iterable[AccountRow]) -> str:
    """The rows as CSV with the table's columns (E.164 numbers, so spreadsheets can match them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Phone number id", *(c.title for c in COLUMNS), "Reason code", "Owner id", "SMS holder id"])
    number_column = COLUMN_INDEX["number"]
    for row in rows:
        cells = [c.text(row) for c in COLUMNS]
        cells[number_column] = row.e164
        # Every cell, owner and holder names included, is neutralised for spreadsheets (OWASP).
        writer.writerow([
            csv_cell(cell)
            for cell in (row.key, *cells, row.reason_code, row.owner.id or "",
                         row.sms_holder.id if row.sms_holder else "")
        ])
    return buffer.getvalue()


def rows_to_json(rows: Iterable[AccountRow]) -> str:
    """The rows as a JSON array of `AccountRow.to_json()` objects."""
    return json.dumps([row.to_json() for row in rows], indent=2, ensure_ascii=False, default=str)
