"""The picker's model: a valid Qt model, sendable numbers first, blocked ones with their reason."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from rc_sms_desktop.core.eligibility import ConfigState
from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.ui.sender_model import (
    CANNOT_SEND_CAPTION,
    SendableFilterModel,
    SenderListModel,
    SenderRole,
)
from tests.ui.verdict_samples import (
    LOADING_E164,
    PENDING_E164,
    READY_E164,
    config,
    number,
    sample_verdicts,
    verdict,
)


def _rows(model: SenderListModel | SendableFilterModel) -> list[str]:
    return [str(model.index(r, 0).data(SenderRole.E164Role)) for r in range(model.rowCount())]


def test_model_passes_qt_model_tester_through_reset_update_and_resort(qtmodeltester: ModelTester) -> None:
    model = SenderListModel()
    qtmodeltester.check(model, force_py=True)
    model.set_verdicts(sample_verdicts())
    # The loading number's configuration arrives: confirmed, so it moves up among the ready ones.
    ready = verdict(number("9", LOADING_E164, label="New line"), config("9", LOADING_E164))
    model.update_verdicts([ready])
    model.clear()


def test_ready_numbers_come_first_and_blocked_ones_show_their_reason() -> None:
    model = SenderListModel()
    model.set_verdicts(sample_verdicts())
    marks = [model.index(r, 0).data(SenderRole.MarkRole) for r in range(model.rowCount())]
    first_blocked = marks.index(Mark.BLOCKED)
    assert all(m == Mark.READY for m in marks[: marks.index(Mark.LOADING)])
    assert all(m == Mark.BLOCKED for m in marks[first_blocked:])
    pending = model.index(model.row_of(PENDING_E164), 0)
    assert "campaign" in pending.data(SenderRole.DetailLineRole).lower()
    assert pending.data(SenderRole.CanSendRole) is False
    # The reason is also in the tooltip and in what a screen reader hears.
    assert "pending" in pending.data(Qt.ItemDataRole.ToolTipRole).lower()
    assert f"{Mark.BLOCKED.label}: " in pending.data(Qt.ItemDataRole.AccessibleTextRole)
    # The first number that cannot send carries the "Cannot send SMS" heading, and only it.
    captions = [model.index(r, 0).data(SenderRole.SectionCaptionRole) for r in range(model.rowCount())]
    assert captions[first_blocked] == CANNOT_SEND_CAPTION
    assert sum(1 for c in captions if c) == 1


def test_a_ready_entry_shows_formatted_number_kind_label_and_use_cases() -> None:
    model = SenderListModel()
    model.set_verdicts(sample_verdicts())
    index = model.index(model.row_of(READY_E164), 0)
    assert index.data(SenderRole.FormattedRole) == "(650) 555-0101"
    assert index.data(SenderRole.KindRole) == "Direct"
    assert index.data(SenderRole.LabelRole) == "Sales line"
    assert index.data(SenderRole.DetailLineRole) == "Customer care, Delivery updates"
    assert READY_E164 in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(SenderRole.MarkRole) == Mark.READY


def test_loading_number_is_marked_loading_then_moves_when_its_verdict_arrives() -> None:
    model = SenderListModel()
    model.set_verdicts(sample_verdicts())
    row = model.row_of(LOADING_E164)
    assert model.index(row, 0).data(SenderRole.MarkRole) == Mark.LOADING
    blocked = verdict(number("9", LOADING_E164), config("9", LOADING_E164, campaign=None))
    model.update_verdicts([blocked])
    new_row = model.row_of(LOADING_E164)
    ready_rows = [r for r in range(model.rowCount()) if model.index(r, 0).data(SenderRole.CanSendRole)]
    assert new_row > max(ready_rows)
    assert model.index(new_row, 0).data(SenderRole.MarkRole) == Mark.BLOCKED
    assert "campaign" in model.index(new_row, 0).data(SenderRole.DetailLineRole).lower()


def test_a_malformed_record_is_a_row_not_a_crash() -> None:
    model = SenderListModel()
    model.set_verdicts(sample_verdicts())
    row = model.row_of("77")
    assert row >= 0
    index = model.index(row, 0)
    assert index.data(SenderRole.MarkRole) == Mark.BLOCKED
    assert "could not be read" in index.data(SenderRole.DetailLineRole)


def test_only_sendable_filter_hides_blocked_numbers(qtmodeltester: ModelTester) -> None:
    model = SenderListModel()
    model.set_verdicts(sample_verdicts())
    proxy = SendableFilterModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    everything = _rows(proxy)
    proxy.set_only_sendable(True)
    sendable = _rows(proxy)
    assert PENDING_E164 in everything and PENDING_E164 not in sendable
    assert READY_E164 in sendable
    assert all(proxy.index(r, 0).data(SenderRole.CanSendRole) for r in range(proxy.rowCount()))
    assert not any(proxy.index(r, 0).data(SenderRole.SectionCaptionRole) for r in range(proxy.rowCount()))
    proxy.set_only_sendable(False)
    assert _rows(proxy) == everything


def test_resort_keeps_persistent_indexes_on_their_numbers() -> None:
    model = SenderListModel()
    verdicts = sample_verdicts()
    model.set_verdicts(verdicts)
    from PySide6.QtCore import QPersistentModelIndex

    held = QPersistentModelIndex(model.index(model.row_of(READY_E164), 0))
    loading = next(v for v in verdicts if v.config_state is ConfigState.LOADING)
    model.update_verdicts([dataclasses.replace(loading, config_state=ConfigState.LOADED)])
    model.update_verdicts([verdict(number("9", LOADING_E164), config("9", LOADING_E164, campaign=None))])
    assert held.data(SenderRole.E164Role) == READY_E164


def test_a_suggested_order_reorders_the_rows_keeps_the_selection_and_goes_back(
    qtmodeltester: ModelTester,
) -> None:
    # The sender suggestion reorders the open list through the model's own list (one pass, not
    # a proxy sort calling Python per comparison): still a valid model, the user's current
    # number held, new numbers last while the order holds, and the picker order afterwards.
    from PySide6.QtCore import QPersistentModelIndex

    model = SenderListModel()
    model.set_verdicts(sample_verdicts())
    proxy = SendableFilterModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    picker_order = _rows(model)
    ids = [str(model.verdict_at(row).number.id) for row in range(model.rowCount())]  # type: ignore[union-attr]
    places = {number_id: len(ids) - 1 - row for row, number_id in enumerate(ids)}  # reversed
    held = QPersistentModelIndex(proxy.index(proxy.rowCount() - 1, 0))
    held_number = held.data(SenderRole.E164Role)

    proxy.set_suggestion(places, {}, frozenset())
    assert _rows(proxy) == list(reversed(picker_order))
    assert held.data(SenderRole.E164Role) == held_number and held.row() == 0
    newcomer = verdict(number("78", "+16505550178"), config("78", "+16505550178"))
    model.update_verdicts([newcomer])
    assert _rows(proxy) == [*reversed(picker_order), "+16505550178"]

    proxy.clear_suggestion()
    assert _rows(proxy) == _rows(model)
    assert set(_rows(model)) == {*picker_order, "+16505550178"}
    keys = [model.verdict_at(row) for row in range(model.rowCount())]
    from rc_sms_desktop.core.eligibility import sender_sort_key

    assert [sender_sort_key(v) for v in keys] == sorted(sender_sort_key(v) for v in keys)  # type: ignore[arg-type]
    assert held.data(SenderRole.E164Role) == held_number
