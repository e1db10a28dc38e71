"""Server strings made safe for a window, a terminal and a spreadsheet (issue #15, points 2-4)."""

from __future__ import annotations

import csv
import io

from rc_sms_desktop.core.account_join import join_account
from rc_sms_desktop.core.account_table import rows_to_csv
from rc_sms_desktop.core.eligibility import evaluate
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.models import parse_extension, parse_phone_number
from rc_sms_desktop.core.text_safety import csv_cell, for_terminal, without_bidi_controls
from tests.core.test_account_join import CONFIGS, EXTENSIONS, LISTS, NUMBERS

FORMULAS = ("=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1")


def spreadsheet_reads_as_formula(cell: str) -> bool:
    """The rule spreadsheets apply (OWASP CSV injection): a cell starting with one of these is
    evaluated, unless it is a plain number (`+16505550100` is the number 16505550100)."""
    if not cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


def test_bidi_controls_are_removed_from_what_a_window_shows() -> None:
    assert without_bidi_controls("Sales\u202e line\u2066x\u2069\u200e\u200f\u061c") == "Sales linex"
    extension = parse_extension({"id": 1, "name": "Alex\u202eReviR", "extensionNumber": "101"})
    assert extension.name == "AlexReviR"


def test_a_number_with_anything_but_plus_and_digits_is_a_malformed_record() -> None:
    record = {"id": 7, "phoneNumber": "+1650555\u202e1010", "usageType": "DirectNumber",
              "features": ["SmsSender"], "label": "x"}
    number = parse_phone_number(record)
    assert number.problem is not None and "phoneNumber" in number.problem
    assert evaluate(number, None).main_reason is not None
    assert evaluate(number, None).main_reason.code == "malformed-record"  # type: ignore[union-attr]
    # Shown from the digits, never reordered by the override.
    assert "\u202e" not in format_number(number.phone_number)
    for spaced in ("+1 650 555 0101", "+1650555O101", "1650-555"):
        assert parse_phone_number({**record, "phoneNumber": spaced}).problem is not None
    assert parse_phone_number({**record, "phoneNumber": "+16505550101"}).problem is None


def test_terminal_text_escapes_controls_visibly_and_keeps_letters() -> None:
    hostile = "\x1b]0;pwned\x07\x1b[2J\r\nforged\x9b31m\x7f\u202eevil"
    shown = for_terminal(hostile)
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F for c in shown)
    assert "\u202e" not in shown
    assert shown == "\\e]0;pwned\\x07\\e[2J\\r\\nforged\\x9b31m\\x7f\\u202eevil"
    assert for_terminal("Café 東京 — ok") == "Café 東京 — ok"


def test_csv_cells_never_read_as_formulas_but_numbers_stay_numbers() -> None:
    for formula in FORMULAS:
        cell = csv_cell(formula)
        assert isinstance(cell, str) and not spreadsheet_reads_as_formula(cell)
        assert cell.endswith(formula)  # nothing is lost, the formula is only made inert
    assert csv_cell("+16505550100") == "+16505550100"
    assert csv_cell("Sales line") == "Sales line"
    assert csv_cell(5) == 5


def test_account_export_neutralises_owner_holder_and_label_cells() -> None:
    evil = "=HYPERLINK(\"http://evil\",\"Click\")"
    extensions = [{**e, "name": evil} if isinstance(e, dict) else e for e in EXTENSIONS]
    numbers = [{**n, "label": "+cmd|' /C calc'!A0"} if isinstance(n, dict) else n for n in NUMBERS]
    rows = join_account(numbers, extensions, LISTS, CONFIGS)
    table = list(csv.reader(io.StringIO(rows_to_csv(rows))))
    header, body = table[0], table[1:]
    assert body
    cells = [cell for line in body for cell in line]
    assert any(evil in cell for cell in cells)  # the names are there…
    assert not [cell for cell in cells if spreadsheet_reads_as_formula(cell)]  # …as text
    number_column = header.index("Number")
    assert all(line[number_column].startswith("+") and float(line[number_column]) for line in body)
