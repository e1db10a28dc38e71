"""Number kinds and the guide's ownership table."""

from __future__ import annotations

from typing import Any

import pytest

from rc_sms_desktop.core.models import parse_extension, parse_phone_number
from rc_sms_desktop.core.number_kinds import is_shared, is_toll_free, number_kind, ownership


def record(**fields: Any) -> Any:
    base: dict[str, Any] = {"id": 1, "phoneNumber": "+16505550100", "usageType": "DirectNumber", "paymentType": "Local"}
    base.update(fields)
    return parse_phone_number(base)


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({}, "Direct"),
        ({"usageType": "MainCompanyNumber"}, "Main company"),
        ({"usageType": "MainCompanyNumber", "paymentType": "TollFree", "phoneNumber": "+18005550100"}, "Main company"),
        ({"usageType": "CompanyNumber"}, "Company"),
        ({"usageType": "AdditionalCompanyNumber"}, "Company"),
        ({"usageType": "CompanyNumber", "paymentType": "TollFree", "phoneNumber": "+18005550100"}, "Toll-free"),
        ({"phoneNumber": "+18885550100"}, "Toll-free"),
        ({"extension": {"id": 2, "type": "Department"}}, "Call queue"),
        ({"extension": {"id": 2, "type": "IvrMenu"}}, "IVR"),
        ({"extension": {"id": 2, "type": "Site"}}, "Site"),
        ({"extension": {"id": 2, "type": "User"}}, "Direct"),
        ({"usageType": "CompanyFaxNumber"}, "Fax"),
        ({"type": "FaxOnly"}, "Fax"),
        ({"usageType": "BusinessMobileNumber"}, "Mobile"),
        ({"usageType": "FmcBusinessMobileNumber"}, "Mobile"),
        ({"usageType": "ForwardedNumber", "paymentType": "External"}, "Forwarded"),
        ({"usageType": "ForwardedCompanyNumber"}, "Forwarded"),
        ({"usageType": "ContactCenterNumber"}, "ContactCenterNumber"),
        ({"usageType": "ShinyNewKind"}, "ShinyNewKind"),
        ({"usageType": None}, "Unknown"),
    ],
)
def test_number_kind(fields: dict[str, Any], kind: str) -> None:
    assert number_kind(record(**fields)) == kind


def test_toll_free_and_shared_predicates() -> None:
    assert is_toll_free(record(paymentType="ExternalNumberProviderTollFree"))
    assert not is_toll_free(record(phoneNumber="+18125550100"))  # 812 is a local area code
    assert is_shared(record(usageType="CompanyNumber"))
    assert is_shared(record(extension={"type": "Site"}))
    assert not is_shared(record(extension={"type": "User"}))


def test_ownership_of_a_users_direct_number() -> None:
    own = ownership(record(extension={"id": 5, "name": "Alex Doe", "extensionNumber": "101", "type": "User"}))
    assert not own.shared
    assert own.owner == "User extension Alex Doe (ext. 101)"
    assert own.caller_id == own.sms_features == "The extension it is assigned to"


@pytest.mark.parametrize(
    ("fields", "owner_start", "caller_id_words"),
    [
        ({"usageType": "MainCompanyNumber"}, "The company", "Every extension"),
        ({"usageType": "CompanyNumber"}, "The company", "Every extension"),
        ({"extension": {"type": "Department", "name": "Support"}}, "Call queue Support", "members"),
        ({"extension": {"type": "IvrMenu", "name": "Menu"}}, "IVR menu Menu", "site the IVR"),
        ({"extension": {"type": "Site", "name": "Boston"}}, "Site Boston", "under the site"),
    ],
)
def test_ownership_of_shared_numbers(fields: dict[str, Any], owner_start: str, caller_id_words: str) -> None:
    own = ownership(record(**fields))
    assert own.shared
    assert own.owner.startswith(owner_start)
    assert caller_id_words in own.caller_id
    assert "one extension an account admin picks" in own.sms_features
    assert "only one extension an account admin picks" in own.explanation


def test_ownership_names_the_known_sms_holder() -> None:
    holder = parse_extension({"id": 9, "name": "Sam Lee", "extensionNumber": "205"})
    number = record(usageType="MainCompanyNumber")
    assert ownership(number, holder).sms_features == "Sam Lee (ext. 205)"
    assert ownership(number, holder=holder).sms_features == "Sam Lee (ext. 205)"
    assert ownership(number, "Front desk").sms_features == "Front desk"
    assert "only Sam Lee (ext. 205) can send" in ownership(number, holder).explanation


def test_ownership_names_other_extension_types_raw() -> None:
    own = ownership(record(extension={"type": "FaxUser", "name": "Fax"}))
    assert own.owner == "FaxUser extension Fax"
    assert not own.shared
    assert ownership(record(features=["CallerId", "SmsSender"])).owner == "This extension"


def test_ownership_without_extension_object_never_calls_a_caller_id_number_yours() -> None:
    # The spec lets `extension` be absent from a user's list (issue #13, point 7).
    own = ownership(record(features=["CallerId"]))
    assert own.owner == "Not reported by RingCentral"
    assert "caller ID only" in own.explanation
    assert "another extension" in own.sms_features.lower()
