"""The admin view's join: account list + extension list + each extension's own list → rows."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rc_sms_desktop.core.account_join import (
    AUTO_RECEPTIONIST,
    AccountJoin,
    AccountRow,
    join_account,
)
from rc_sms_desktop.core.account_table import rows_to_csv, rows_to_json, summarize

SMS = ["CallerId", "SmsSender", "MmsSender"]


def ext(ext_id: int, number: str, name: str, type_: str) -> dict[str, Any]:
    return {"id": ext_id, "extensionNumber": number, "name": name, "type": type_, "status": "Enabled"}


def account_number(
    num_id: int, e164: str, usage: str, owner: dict[str, Any] | None, **extra: Any
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": num_id,
        "phoneNumber": e164,
        "usageType": usage,
        "paymentType": "Local",
        "type": "VoiceFax",
        "status": "Normal",
        **extra,
    }
    if owner is not None:
        # The account list names the owner but never its type (listAccountPhoneNumbers).
        record["extension"] = {k: owner[k] for k in ("id", "name", "extensionNumber")}
    return record


def own(num_id: int, e164: str, usage: str, features: list[str]) -> dict[str, Any]:
    """The record as an extension's own list has it: features and country, no owner."""
    return account_number(num_id, e164, usage, None, features=features,
                          country={"id": "1", "isoCode": "US", "name": "United States"})


ALICE = ext(1, "101", "Alice Admin", "User")
BOB = ext(2, "102", "Bob Builder", "User")
QUEUE = ext(3, "200", "Support Queue", "Department")
IVR = ext(4, "300", "Main Menu", "IvrMenu")
SITE = ext(5, "400", "Boston Office", "Site")
EXTENSIONS = [ALICE, BOB, QUEUE, IVR, SITE]

NUMBERS = [
    account_number(10, "+16505550110", "DirectNumber", ALICE, label="Alice direct"),
    account_number(11, "+16505550111", "MainCompanyNumber", None),
    account_number(12, "+16505550112", "DirectNumber", QUEUE),
    account_number(13, "+16505550113", "DirectNumber", IVR),
    account_number(14, "+16505550114", "DirectNumber", SITE),
    account_number(15, "+16505550115", "DirectNumber", QUEUE),  # nobody holds its SMS
]

LISTS = {
    "1": [
        own(10, "+16505550110", "DirectNumber", SMS),
        own(11, "+16505550111", "MainCompanyNumber", ["CallerId"]),
        own(13, "+16505550113", "DirectNumber", ["CallerId"]),
    ],
    "2": [
        own(11, "+16505550111", "MainCompanyNumber", SMS),  # Bob holds the company SMS
        own(12, "+16505550112", "DirectNumber", ["CallerId", "SmsSender"]),  # ... and the queue's
        own(14, "+16505550114", "DirectNumber", SMS),
        own(15, "+16505550115", "DirectNumber", ["CallerId"]),
    ],
    "3": [
        own(12, "+16505550112", "DirectNumber", ["CallerId"]),
        own(15, "+16505550115", "DirectNumber", ["CallerId"]),
    ],
    "4": [own(13, "+16505550113", "DirectNumber", SMS)],  # the IVR itself is the holder
    "5": [own(14, "+16505550114", "DirectNumber", ["CallerId"])],
}


def confirmed(num_id: int, status: str = "Confirmed") -> dict[str, Any]:
    return {
        "phoneNumberId": str(num_id),
        "smsCampaignInfo": {
            "id": "2008",
            "status": status,
            "registrationTier": "LowVolume",
            "useCases": ["CustomerCare"],
        },
        "smsBrandInfo": {"id": "1008", "status": "Verified"},
    }


CONFIGS = {str(n): confirmed(n) for n in (10, 11, 12, 13, 14)}


def loaded_join() -> AccountJoin:
    """The account list, the extensions and every extension's list, all loaded."""
    join = AccountJoin()
    join.add_account_numbers(NUMBERS)
    join.add_extensions(EXTENSIONS)
    for ext_id, records in LISTS.items():
        join.add_extension_numbers(ext_id, records)
    join.set_all_lists_loaded()
    return join


def by_key(rows: list[AccountRow]) -> dict[str, AccountRow]:
    return {row.key: row for row in rows}


def test_every_owner_kind_is_named_with_its_sms_holder() -> None:
    rows = by_key(join_account(NUMBERS, EXTENSIONS, LISTS, CONFIGS))

    assert [rows[k].owner.kind for k in ("10", "11", "12", "13", "14")] == [
        "User", AUTO_RECEPTIONIST, "Call queue", "IVR", "Site"
    ]
    assert rows["10"].owner.describe() == "Alice Admin (ext. 101)"
    holders = {k: (rows[k].sms_holder.name if rows[k].sms_holder else None) for k in rows}
    assert holders == {
        "10": "Alice Admin",
        "11": "Bob Builder",
        "12": "Bob Builder",
        "13": "Main Menu",
        "14": "Bob Builder",
        "15": None,
    }
    # The features are those of the holder's own list, not the owner's CallerId-only view.
    assert rows["11"].features == tuple(SMS)
    assert rows["12"].features == ("CallerId", "SmsSender")


def test_verdicts_follow_holder_features_and_configuration() -> None:
    configs = dict(CONFIGS)
    configs["14"] = confirmed(14, status="Submitted")
    rows = by_key(join_account(NUMBERS, EXTENSIONS, LISTS, configs))

    assert rows["10"].verdict is not None and rows["10"].verdict.can_send_sms
    assert rows["10"].campaign_status == "Confirmed"
    assert rows["10"].brand_status == "Verified"
    assert rows["10"].tier == "LowVolume"
    assert rows["10"].use_cases == ("CustomerCare",)
    assert rows["14"].verdict_label == "Blocked"
    assert rows["14"].campaign_status == "Submitted"
    assert rows["15"].verdict_label == "Blocked"  # no extension holds its SMS features
    assert rows["15"].sms_holder is None
    assert rows["15"].reason_code


def test_ownership_rules_are_applied_to_each_row() -> None:
    rows = by_key(join_account(NUMBERS, EXTENSIONS, LISTS, CONFIGS))

    company = rows["11"].ownership
    assert company is not None and company.shared
    assert "Bob Builder" in company.sms_features
    queue = rows["12"].ownership
    assert queue is not None and queue.caller_id == "The call queue's members"
    direct = rows["10"].ownership
    assert direct is not None and not direct.shared


def test_rows_wait_for_the_lists_that_decide_them() -> None:
    join = AccountJoin()
    join.add_account_numbers(NUMBERS)
    join.add_extensions(EXTENSIONS)
    assert all(row.pending for row in join.rows())
    assert all(row.owner.kind for row in join.rows())

    changed = join.add_extension_numbers("1", LISTS["1"])
    assert "10" in changed
    # Alice's direct number is decided by Alice's list alone; the company number is not
    # (another extension may hold its SMS features).
    assert not join.row("10").pending
    assert join.row("11").pending
    # Its configuration is worth fetching now, through its holder.
    assert join.config_target("10") == ("1", "10")
    assert join.config_target("11") is None

    join.add_extension_numbers("3", LISTS["3"])
    assert join.row("15").pending  # the queue does not hold it; maybe someone else does
    join.set_all_lists_loaded()
    assert join.row("15").verdict_label == "Blocked"


def test_lists_may_arrive_before_the_account_list() -> None:
    join = AccountJoin()
    for ext_id, records in LISTS.items():
        join.add_extension_numbers(ext_id, records)
    join.add_extensions(EXTENSIONS)
    join.add_account_numbers(NUMBERS)
    join.set_all_lists_loaded()
    assert join.row("11").sms_holder is not None
    assert join.row("11").sms_holder.name == "Bob Builder"


def test_reassigned_number_leaves_the_old_holder() -> None:
    join = loaded_join()
    # Bob no longer holds the company number's SMS; Alice now does.
    join.add_extension_numbers("2", [r for r in LISTS["2"] if r["id"] != 11])
    join.add_extension_numbers(
        "1", [own(11, "+16505550111", "MainCompanyNumber", SMS) if r["id"] == 11 else r for r in LISTS["1"]]
    )
    assert join.row("11").sms_holder is not None
    assert join.row("11").sms_holder.name == "Alice Admin"


def test_two_extensions_claiming_one_number_is_reported() -> None:
    lists = {**LISTS, "1": [*LISTS["1"], own(12, "+16505550112", "DirectNumber", SMS)]}
    rows = by_key(join_account(NUMBERS, EXTENSIONS, lists, CONFIGS))
    assert any("More than one extension" in note for note in rows["12"].notes)


def test_malformed_and_unknown_values_become_rows_not_crashes() -> None:
    numbers = [
        *NUMBERS,
        "not a record",
        account_number(16, "+16505550116", "SomeNewUsageType", ext(9, "900", "Robot", "Bot2027")),
    ]
    extensions = [*EXTENSIONS, ext(9, "900", "Robot", "Bot2027"), {"no": "id"}]
    rows = join_account(numbers, extensions, LISTS, CONFIGS)
    assert len(rows) == 8
    odd = by_key(rows)["16"]
    assert odd.owner.kind == "Bot2027"  # unknown types are shown raw
    bad = [row for row in rows if row.key.startswith("unidentified-")]
    assert len(bad) == 1 and bad[0].verdict is not None
    assert bad[0].reason_code == "malformed-record"


def test_summary_counts_blocked_rows_by_reason() -> None:
    configs = dict(CONFIGS)
    configs["14"] = confirmed(14, status="Submitted")
    rows = join_account(NUMBERS, EXTENSIONS, LISTS, configs)
    summary = summarize(rows)
    assert summary.total == 6
    assert summary.can_send == 4
    assert summary.blocked == 2
    assert sum(n for _, n in summary.blocked_by_reason) == 2
    assert summary.text() == "4 can send SMS, 2 blocked: 1 campaign pending review, 1 no SMS holder"


def test_exports_carry_owner_holder_and_verdict() -> None:
    rows = join_account(NUMBERS, EXTENSIONS, LISTS, CONFIGS)
    table = list(csv.reader(io.StringIO(rows_to_csv(rows))))
    header, body = table[0], table[1:]
    assert len(body) == len(rows)
    first = dict(zip(header, body[0], strict=True))
    assert first["Number"] == "+16505550110"
    assert first["Owner"] == "Alice Admin (ext. 101)"
    assert first["SMS holder"] == "Alice Admin (ext. 101)"
    assert first["Verdict"] == "Can send SMS"

    data = json.loads(rows_to_json(rows))
    company = next(item for item in data if item["phoneNumberId"] == "11")
    assert company["owner"]["kind"] == AUTO_RECEPTIONIST
    assert company["smsHolder"]["name"] == "Bob Builder"
    assert company["sms"] == "ready"  # the explain shape is kept
    assert "reasons" in company


def test_sms_recipients_name_who_texts_for_a_queue_no_list_shows() -> None:
    join = loaded_join()
    assert join.needs_recipients("15") == "3"  # the queue's number nobody holds
    assert join.needs_recipients("12") is None  # Bob's list already shows its holder

    changed = join.set_sms_recipients(
        "3", {"smsRecipients": [{"id": "2", "extensionNumber": "102", "extensionType": "User",
                                 "name": "Bob Builder", "assignable": True, "hasLicense": True}]}
    )
    assert "15" in changed
    row = join.row("15")
    assert row.sms_holder is not None and row.sms_holder.name == "Bob Builder"
    assert row.verdict_label == "Blocked"  # still no SMS feature on any list
    assert "probably not SMS-enabled" in row.reason_text
    assert any("SMS recipients" in note for note in row.notes)
    # A malformed answer changes nothing and raises nothing.
    join.set_sms_recipients("3", {"smsRecipients": "nope"})
    assert join.row("15").sms_holder is None


def test_an_unreadable_list_makes_its_numbers_unknown_not_featureless() -> None:
    join = AccountJoin()
    join.add_account_numbers(NUMBERS)
    join.add_extensions(EXTENSIONS)
    for ext_id, records in LISTS.items():
        if ext_id != "1":
            join.add_extension_numbers(ext_id, records)
    changed = join.mark_list_failed("1", "RingCentral is having trouble right now")
    assert "10" in changed
    join.set_all_lists_loaded()
    row = join.row("10")  # Alice's direct number: only Alice's list could tell
    assert row.verdict is None and not row.pending
    assert row.verdict_label == "Unknown"
    assert "Could not read the numbers of Alice Admin" in row.reason_text
    assert row.to_json()["unavailable"] == row.reason_text
    # Reading the list later (a new scan) settles it.
    join.add_extension_numbers("1", LISTS["1"])
    settled = join.row("10")
    assert settled.verdict is not None and settled.unavailable is None
    assert settled.features == tuple(SMS)
