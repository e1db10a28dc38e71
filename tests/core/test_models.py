"""Parsing RingCentral JSON: open strings, id normalisation, absent fields, malformed records."""

from __future__ import annotations

from typing import Any

import pytest

from rc_sms_desktop.core.models import (
    MalformedPage,
    parse_extension,
    parse_page,
    parse_phone_number,
    parse_sms_configuration,
    record_id,
)

LIST_RECORD: dict[str, Any] = {
    "uri": "https://platform.example/restapi/v1.0/account/1/phone-number/1234",
    "id": 1234,
    "phoneNumber": "+16505550100",
    "paymentType": "Local",
    "type": "VoiceFax",
    "usageType": "DirectNumber",
    "status": "Normal",
    "features": ["CallerId", "SmsSender"],
    "label": "Sales",
    "location": "Belmont, CA",
    "country": {"id": 1, "uri": "https://platform.example/x", "isoCode": "US", "name": "United States"},
    "extension": {"id": 62959250001, "extensionNumber": "101", "name": "Alex Doe", "type": "User"},
    "primary": True,
    "callerIdName": "ACME",
}


def test_list_record_is_read_with_every_documented_field() -> None:
    number = parse_phone_number(LIST_RECORD)
    assert number.problem is None
    assert number.id == "1234"
    assert number.phone_number == "+16505550100"
    assert (number.payment_type, number.type, number.usage_type, number.status) == (
        "Local", "VoiceFax", "DirectNumber", "Normal",
    )
    assert number.features == ("CallerId", "SmsSender")
    assert number.label == "Sales" and number.location == "Belmont, CA"
    assert number.country is not None
    assert (number.country.id, number.country.iso_code, number.country.name) == ("1", "US", "United States")
    assert number.extension is not None
    assert number.extension.id == "62959250001"
    assert number.extension.extension_number == "101"
    assert number.extension.type == "User"
    assert number.primary is True
    assert number.raw is LIST_RECORD


def test_string_ids_stay_strings() -> None:
    number = parse_phone_number({**LIST_RECORD, "id": "98765", "extension": {"id": "5"}})
    assert number.id == "98765"
    assert number.extension is not None and number.extension.id == "5"


def test_unknown_enum_values_survive_raw() -> None:
    number = parse_phone_number(
        {**LIST_RECORD, "usageType": "HologramNumber", "paymentType": "Barter", "features": ["Teleport"]}
    )
    assert number.problem is None
    assert number.usage_type == "HologramNumber"
    assert number.payment_type == "Barter"
    assert number.features == ("Teleport",)


def test_absent_fields_take_the_api_meaning() -> None:
    number = parse_phone_number({"id": 1})
    assert number.problem is None
    assert number.features == ()
    assert number.primary is False
    assert number.extension is None and number.country is None
    assert parse_phone_number({"id": 1, "features": None, "primary": None}).features == ()


def test_unknown_keys_are_ignored_but_kept_in_raw() -> None:
    record = {**LIST_RECORD, "futureField": {"x": 1}}
    number = parse_phone_number(record)
    assert number.problem is None
    assert number.raw["futureField"] == {"x": 1}


def test_record_keys_named_like_our_bookkeeping_fields_change_nothing() -> None:
    record = {**LIST_RECORD, "problem": "I am fine", "raw": "not me"}
    number = parse_phone_number(record)
    assert number.problem is None
    assert number.raw is record


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("features", "SmsSender"),
        ("features", [1, 2]),
        ("phoneNumber", 16505550100),
        ("primary", "yes"),
        ("extension", "Alex"),
        ("country", {"id": [1]}),
        ("id", True),
        ("id", 1.5),
    ],
)
def test_wrong_type_sets_problem_and_keeps_the_rest(field: str, value: Any) -> None:
    number = parse_phone_number({**LIST_RECORD, field: value})
    assert number.problem is not None
    assert field in number.problem
    assert number.raw[field] == value
    # Whatever else was readable is still there for the row to show.
    assert number.label == "Sales"
    if field != "phoneNumber":
        assert number.phone_number == "+16505550100"


@pytest.mark.parametrize("record", [None, "text", 42, [LIST_RECORD], True])
def test_record_that_is_not_an_object_sets_problem(record: Any) -> None:
    number = parse_phone_number(record)
    assert number.problem is not None and "not a JSON object" in number.problem
    assert number.raw == record
    assert number.id == ""


def test_record_without_id_is_a_problem() -> None:
    number = parse_phone_number({"phoneNumber": "+16505550100"})
    assert number.problem == "the record has no id"
    assert number.phone_number == "+16505550100"


def test_sms_configuration_is_read() -> None:
    body = {
        "phoneNumberId": "121554771345",
        "phoneNumber": "+16501112345",
        "smsCampaignInfo": {
            "id": "2008",
            "externalId": "C8VLZXY",
            "status": "Confirmed",
            "registrationTier": "LowVolume",
            "useCases": ["CustomerCare", "AccountNotification", "DeliveryNotification"],
            "errors": [{"errorCode": "TCR-1", "message": "hmm"}],
        },
        "smsBrandInfo": {"id": 1008, "status": "Verified", "externalId": "BG3LNOP"},
    }
    config = parse_sms_configuration(body)
    assert config.problem is None
    assert config.phone_number_id == "121554771345"
    assert config.campaign is not None and config.brand is not None
    assert config.campaign.status == "Confirmed"
    assert config.campaign.registration_tier == "LowVolume"
    assert config.campaign.use_cases == ("CustomerCare", "AccountNotification", "DeliveryNotification")
    assert config.campaign.errors[0].error_code == "TCR-1"
    assert config.brand.id == "1008" and config.brand.status == "Verified"
    assert config.raw is body


def test_sms_configuration_without_campaign_means_not_linked() -> None:
    config = parse_sms_configuration({"phoneNumberId": "1", "phoneNumber": "+16505550100"})
    assert config.problem is None
    assert config.campaign is None and config.brand is None


def test_sms_configuration_error_body_is_a_problem_not_an_empty_configuration() -> None:
    config = parse_sms_configuration({"errors": [{"errorCode": "CMN-102", "message": "Not found"}]})
    assert config.problem is not None and "CMN-102" in config.problem


def test_sms_configuration_with_wrong_types_sets_problem() -> None:
    config = parse_sms_configuration({"phoneNumberId": "1", "smsCampaignInfo": {"useCases": "Marketing"}})
    assert config.problem is not None and "smsCampaignInfo" in config.problem
    assert config.phone_number_id == "1"


def test_extension_is_read() -> None:
    extension = parse_extension(
        {
            "id": 62959250001,
            "extensionNumber": "101",
            "name": "Alex Doe",
            "type": "User",
            "status": "Enabled",
            "account": {"id": 37439510},
            "permissions": {"admin": {"enabled": True}},
            "site": {"id": "1", "name": "Belmont"},
        }
    )
    assert extension.problem is None
    assert extension.id == "62959250001"
    assert extension.account_id == "37439510"
    assert extension.is_admin is True
    assert extension.site_name == "Belmont"
    assert parse_extension({"id": 1}).is_admin is None


def test_extension_with_bad_nested_value_sets_problem() -> None:
    extension = parse_extension({"id": 1, "name": "A", "permissions": {"admin": {"enabled": "maybe"}}})
    assert extension.problem is not None
    assert extension.name == "A"
    assert parse_extension([]).problem is not None


def test_page_envelope() -> None:
    page = parse_page(
        {
            "records": [{"id": 1}, "junk"],
            "paging": {"page": 2, "perPage": 100, "totalPages": 3, "totalElements": 250},
            "navigation": {"nextPage": {"uri": "https://platform.example/next"}},
        }
    )
    assert page.records == [{"id": 1}, "junk"]
    assert (page.page, page.per_page, page.total_pages, page.total_elements) == (2, 100, 3, 250)
    assert page.next_page_uri == "https://platform.example/next"


def test_page_with_damaged_paging_still_yields_records() -> None:
    page = parse_page({"records": [], "paging": "oops", "navigation": {"nextPage": 5}})
    assert page.records == [] and page.page is None and page.next_page_uri is None
    assert parse_page({"records": [], "paging": {"page": True}}).page is None


@pytest.mark.parametrize("body", [None, [], "x", {}, {"records": {}}, {"records": None}])
def test_body_that_is_not_a_page_raises_malformed_page(body: Any) -> None:
    with pytest.raises(MalformedPage):
        parse_page(body)


@pytest.mark.parametrize(("record", "expected"), [
    ({"id": 1234567890123}, "1234567890123"),  # the v1 lists' int64 ids
    ({"id": "abc-1"}, "abc-1"),
    ({"id": True}, None),  # JSON true is not an id, though bool is an int in Python
    ({"id": ""}, None),
    ({"id": None}, None),
    ({"id": 1.5}, None),
    ({}, None),
    (["id", 1], None),
    (None, None),
])
def test_record_id_reads_an_answers_id_as_text(record: object, expected: str | None) -> None:
    assert record_id(record) == expected
