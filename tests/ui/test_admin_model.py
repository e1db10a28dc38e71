"""The Account view's table model and its filter/sort proxy."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from rc_sms_desktop.core.account_join import AccountRow, join_account
from rc_sms_desktop.core.account_table import COLUMN_INDEX
from rc_sms_desktop.ui.admin_model import (
    ROW_ROLE,
    AccountFilterModel,
    AccountFilters,
    AccountTableModel,
)

KINDS = ("User", "Department", "IvrMenu", "Site")
NAMES = {"User": "Agent", "Department": "Queue", "IvrMenu": "Menu", "Site": "Office"}


def make_rows(count: int, *, seed: int = 0) -> list[AccountRow]:
    """`count` account numbers over a few extensions of every kind, with varied verdicts."""
    extensions = [
        {"id": 1000 + i, "extensionNumber": str(100 + i), "name": f"{NAMES[k]} {i}", "type": k}
        for i, k in enumerate(KINDS * 3)
    ]
    numbers: list[dict[str, Any]] = []
    lists: dict[str, list[dict[str, Any]]] = {str(e["id"]): [] for e in extensions}
    configs: dict[str, Any] = {}
    holder = extensions[0]  # a user holds every shared number's SMS
    for n in range(count):
        e164 = f"+16502{(n * 7919 + seed) % 1_000_000:06d}"
        company = n % 10 == 0
        owner = None if company else extensions[n % len(extensions)]
        record: dict[str, Any] = {
            "id": 500_000 + n,
            "phoneNumber": e164,
            "usageType": "CompanyNumber" if company else "DirectNumber",
            "paymentType": "Local",
            "type": "VoiceFax",
            "status": "Normal" if n % 17 else "PortedIn",
            "label": f"Line {n}",
        }
        if owner is not None:
            record["extension"] = {k: owner[k] for k in ("id", "name", "extensionNumber")}
        numbers.append(record)
        features = ["CallerId", "SmsSender", "MmsSender"] if n % 3 else ["CallerId"]
        own = {**record, "features": features, "country": {"isoCode": "US"}}
        own.pop("extension", None)
        target = owner if owner is not None and owner["type"] == "User" else holder
        lists[str(target["id"])].append(own)
        status = "Confirmed" if n % 5 else "Submitted"
        configs[str(500_000 + n)] = {
            "phoneNumberId": str(500_000 + n),
            "smsCampaignInfo": {"id": "1", "status": status, "registrationTier": "LowVolume",
                                "useCases": ["CustomerCare"] if n % 2 else ["Marketing"]},
            "smsBrandInfo": {"id": "2", "status": "Verified"},
        }
    return join_account(numbers, extensions, lists, configs)


def filled(rows: list[AccountRow]) -> tuple[AccountTableModel, AccountFilterModel]:
    model = AccountTableModel()
    proxy = AccountFilterModel()
    proxy.setSourceModel(model)
    model.upsert(rows)
    return model, proxy


def test_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model, proxy = filled(make_rows(60))
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(proxy, force_py=True)


def test_model_tester_while_rows_arrive_update_and_sort(qtmodeltester: Any) -> None:
    rows = make_rows(80)
    model, proxy = filled(rows[:20])
    qtmodeltester.check(proxy, force_py=True)
    proxy.sort(COLUMN_INDEX["owner"], Qt.SortOrder.DescendingOrder)
    model.upsert(rows[20:])  # new rows while sorted
    model.upsert(rows[:10])  # replaced rows
    model.remove([rows[5].key, rows[50].key])
    assert model.rowCount() == 78
    owners = [proxy.index(i, COLUMN_INDEX["owner"]).data() for i in range(proxy.rowCount())]
    assert owners == sorted(owners, key=str.casefold, reverse=True)


def test_cells_show_the_row() -> None:
    model, _ = filled(make_rows(12))
    row = model.row_at(1)
    index = model.index(1, COLUMN_INDEX["owner"])
    assert index.data() == row.owner.describe()
    assert model.index(1, COLUMN_INDEX["number"]).data() == "(650) 200-7919"
    assert index.data(ROW_ROLE) is row
    assert model.headerData(COLUMN_INDEX["verdict"], Qt.Orientation.Horizontal) == "Verdict"


def test_painted_cells_show_their_own_row_through_a_filter(qapp: Any) -> None:
    # What the table paints comes from multiData (one call per cell, all roles at once): with a
    # filter on, each painted cell must show the row the proxy maps it to, the verdict its mark.
    _, proxy = filled(make_rows(40))
    proxy.set_filters(AccountFilters(text="Line 1"))  # Line 1, Line 10-19: scattered rows
    assert proxy.rowCount() == 11
    delegate = QStyledItemDelegate()
    for proxy_row in range(proxy.rowCount()):
        row = proxy.row_for(proxy_row)
        assert row is not None
        for column in (COLUMN_INDEX["label"], COLUMN_INDEX["verdict"], COLUMN_INDEX["reason"]):
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, proxy.index(proxy_row, column))
            assert option.text == proxy.index(proxy_row, column).data()
            if column == COLUMN_INDEX["label"]:
                assert option.text == row.number.label
            if column == COLUMN_INDEX["verdict"]:
                assert option.text == row.mark.label
                assert not option.icon.isNull()
            else:
                assert option.icon.isNull()


def test_upsert_replaces_rows_by_key_without_duplicates() -> None:
    rows = make_rows(30)
    model, _ = filled(rows)
    model.upsert(make_rows(30))
    assert model.rowCount() == 30


def test_filters_and_search_narrow_the_view() -> None:
    rows = make_rows(200)
    _, proxy = filled(rows)

    proxy.set_filters(AccountFilters(owner_kind="Call queue"))
    shown = proxy.visible_rows()
    assert shown and all(r.owner.kind == "Call queue" for r in shown)
    assert len(shown) == sum(r.owner.kind == "Call queue" for r in rows)

    proxy.set_filters(AccountFilters(verdict="Blocked", status="Normal"))
    shown = proxy.visible_rows()
    assert shown and all(r.verdict_label == "Blocked" and r.number.status == "Normal" for r in shown)

    reason = shown[0].reason_summary
    proxy.set_filters(AccountFilters(reason=reason))
    assert proxy.visible_rows()
    assert all(r.reason_summary == reason for r in proxy.visible_rows())

    proxy.set_filters(AccountFilters(text="LINE 17"))  # substring, any case
    assert sorted(r.number.label or "" for r in proxy.visible_rows()) == [
        "Line 17", *(f"Line {n}" for n in range(170, 180))
    ]
    proxy.set_filters(AccountFilters(text="6502007919"))  # digits of a number, no formatting
    assert [r.e164 for r in proxy.visible_rows()] == ["+16502007919"]
    proxy.set_filters(AccountFilters(usage_type="CompanyNumber"))
    assert len(proxy.visible_rows()) == 20

    proxy.set_filters(AccountFilters())
    assert proxy.rowCount() == 200


def test_sorting_orders_by_the_column_and_keeps_filters() -> None:
    _, proxy = filled(make_rows(120))
    proxy.set_filters(AccountFilters(owner_kind="User"))
    proxy.sort(COLUMN_INDEX["number"], Qt.SortOrder.AscendingOrder)
    numbers = [r.e164 for r in proxy.visible_rows()]
    assert numbers == sorted(numbers)
    assert all(r.owner.kind == "User" for r in proxy.visible_rows())
    proxy.sort(COLUMN_INDEX["verdict"], Qt.SortOrder.AscendingOrder)
    labels = [r.verdict_label for r in proxy.visible_rows()]
    assert labels.index("Can send SMS") > labels.index("Blocked")


def test_filter_choice_counts_follow_inserts_updates_and_removals() -> None:
    from collections import Counter

    from rc_sms_desktop.ui.admin_model import FACETS, facet_values

    def counted(rows: list[AccountRow]) -> dict[str, dict[str, int]]:
        return {name: dict(Counter(facet_values(r)[i] for r in rows)) for i, name in enumerate(FACETS)}

    rows = make_rows(120)
    model, _ = filled(rows[:80])
    updated = make_rows(120, seed=4)  # same keys, other numbers and verdict inputs
    model.upsert(updated[40:120])  # 40 replaced, 40 new
    model.remove([rows[0].key, updated[100].key])
    assert model.facet_counts() == counted(list(model.rows))
    assert sum(model.facet_counts()["verdict"].values()) == 118
    model.clear()
    assert model.facet_counts() == {name: {} for name in FACETS}
