"""Property tests: arbitrary JSON never crashes the parsers or the rules, and verdicts stay coherent.

Also feeds records generated from RingCentral's own OpenAPI schemas (`UserPhoneNumberInfo`,
`SmsConfigurationResource`) through the rules; those tests skip when the spec is absent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rc_sms_desktop.core.eligibility import (
    CHECKLIST_ITEMS,
    CheckState,
    ConfigState,
    Severity,
    State,
    Verdict,
    evaluate,
    needs_configuration,
    sender_sort_key,
)
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.models import (
    MalformedPage,
    ServiceFeature,
    parse_extension,
    parse_page,
    parse_phone_number,
    parse_sms_configuration,
)
from rc_sms_desktop.core.number_kinds import number_kind, ownership
from rc_sms_desktop.core.text_safety import is_dialable

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)

KNOWN_VALUES = {
    "features": ["CallerId", "SmsSender", "A2PSmsSender", "MmsSender", "InternationalSmsSender", "Delegated"],
    "paymentType": ["TollFree", "Local", "ExternalNumberProviderTollFree", "External", "Mobile"],
    "usageType": ["DirectNumber", "MainCompanyNumber", "CompanyNumber", "CompanyFaxNumber", "ForwardedNumber",
                  "ELIN", "BusinessMobileNumber", "ContactCenterNumber"],
    "status": ["Normal", "Pending", "PortedIn", "Temporary"],
    "type": ["VoiceFax", "VoiceOnly", "FaxOnly"],
    "extensionType": ["User", "Department", "IvrMenu", "Site"],
    "campaignStatus": ["Confirmed", "Submitted", "Draft", "SubmitFailed", "CampaignSuspended", "Weird"],
    "brandStatus": ["Verified", "Unverified", "Confirmed", "Weird"],
}


def sometimes(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly plausible values, sometimes anything at all."""
    return st.one_of(strategy, strategy, strategy, json_values)


plausible_numbers = st.fixed_dictionaries(
    {"id": sometimes(st.integers(1, 10**15) | st.from_regex(r"[1-9][0-9]{0,14}", fullmatch=True))},
    optional={
        "phoneNumber": sometimes(
            st.sampled_from(["+16505550100", "+18005550100", "+442079460000", "+17875550100", "+1"])
        ),
        "features": sometimes(st.lists(st.sampled_from(KNOWN_VALUES["features"]), unique=True)),
        "paymentType": sometimes(st.sampled_from(KNOWN_VALUES["paymentType"])),
        "usageType": sometimes(st.sampled_from(KNOWN_VALUES["usageType"])),
        "status": sometimes(st.sampled_from(KNOWN_VALUES["status"])),
        "type": sometimes(st.sampled_from(KNOWN_VALUES["type"])),
        "primary": sometimes(st.booleans()),
        "country": sometimes(st.fixed_dictionaries({}, optional={"isoCode": st.sampled_from(["US", "CA", "GB"])})),
        "extension": sometimes(
            st.fixed_dictionaries({}, optional={"type": st.sampled_from(KNOWN_VALUES["extensionType"])})
        ),
    },
)

plausible_configs = st.fixed_dictionaries(
    {},
    optional={
        "phoneNumberId": sometimes(st.text(max_size=5)),
        "smsCampaignInfo": sometimes(
            st.fixed_dictionaries(
                {},
                optional={
                    "status": sometimes(st.sampled_from(KNOWN_VALUES["campaignStatus"])),
                    "registrationTier": sometimes(st.sampled_from(["LowVolume", "StandardVolume"])),
                    "useCases": sometimes(st.lists(st.text(max_size=10), max_size=3)),
                    "errors": sometimes(st.lists(st.fixed_dictionaries({"message": st.text(max_size=5)}))),
                },
            )
        ),
        "smsBrandInfo": sometimes(
            st.fixed_dictionaries({}, optional={"status": sometimes(st.sampled_from(KNOWN_VALUES["brandStatus"]))})
        ),
        "errors": json_values,
    },
)

any_number_record = json_values | plausible_numbers
any_config_body = st.none() | json_values | plausible_configs


def check_coherent(verdict: Verdict) -> None:
    """What must hold for any verdict, whatever the input."""
    json.dumps(verdict.to_json())
    assert verdict.headline
    sms_errors = [r for r in verdict.reasons if r.severity is Severity.ERROR and "sms" in r.affects]
    if verdict.sms is State.READY:
        assert not sms_errors
        assert verdict.headline.startswith("Ready")
    if verdict.sms is State.BLOCKED:
        assert sms_errors, verdict.reasons
        assert verdict.main_reason is not None
    if verdict.sms is State.UNKNOWN:
        assert {r.code for r in verdict.reasons} & {"config-unavailable", "loading"}
    # MMS and international are ready only when SMS is.
    for other in (verdict.mms, verdict.international):
        if other is State.READY:
            assert verdict.sms is State.READY
    if verdict.daily_limit is not None:
        assert verdict.daily_limit == 6000
    if verdict.number.problem is not None:
        assert [r.code for r in verdict.reasons] == ["malformed-record"]
    check_checklist(verdict)
    sender_sort_key(verdict)
    number_kind(verdict.number)
    ownership(verdict.number)
    format_number(verdict.number.phone_number)


# The checklist items each state depends on (issue #13): no state may be ready while one fails.
_SMS_NEEDS = ("number-status", "user-permission", "sms-feature", "sms-holder", "tcr-campaign",
              "tcr-brand", "toll-free-verification")
DEPENDS_ON = {
    "sms": _SMS_NEEDS,
    "mms": (*_SMS_NEEDS, "mms-feature"),
    "international": (*_SMS_NEEDS, "international-feature"),
    # High Volume is sent by an app (A2PSMS scope, no user permission) and needs no SmsSender.
    "highVolume": ("number-status", "high-volume-feature", "tcr-campaign", "tcr-brand",
                   "toll-free-verification"),
}


def check_checklist(verdict: Verdict) -> None:
    """Every verdict carries the whole checklist, and no state is ready over a failed item."""
    assert tuple(entry.item for entry in verdict.checklist) == CHECKLIST_ITEMS
    states = {entry.item: entry.state for entry in verdict.checklist}
    for capability, items in DEPENDS_ON.items():
        if verdict.to_json()[capability] == "ready":
            failed = [name for name in items if states[name] is CheckState.FAIL]
            assert not failed, (capability, failed, verdict.checklist)
    if verdict.sms is not State.READY and verdict.number.problem is None:
        # A blocked or unknown SMS state is explained by the checklist too.
        assert any(states[name] is not CheckState.PASS for name in _SMS_NEEDS), verdict.checklist
    number = verdict.number
    if number.problem is None and number.payment_type == "TollFree":
        assert states["tcr-campaign"] is CheckState.NOT_APPLICABLE


any_user_features = st.none() | st.lists(
    st.builds(
        ServiceFeature,
        name=st.sampled_from(["SMS", "MMS", "InternationalSMS", "SMSReceiving", "Pager"]),
        enabled=st.none() | st.booleans(),
        reason=st.none() | st.text(max_size=8),
    ),
    max_size=4,
).map(tuple)


@settings(max_examples=300, deadline=None)
@given(
    record=any_number_record,
    body=any_config_body,
    state=st.sampled_from(ConfigState),
    user=any_user_features,
)
def test_rules_never_crash_and_stay_coherent(
    record: Any, body: Any, state: ConfigState, user: tuple[ServiceFeature, ...] | None
) -> None:
    number = parse_phone_number(record)
    assert number.raw is record or number.raw == record
    config = None if body is None else parse_sms_configuration(body)
    verdict = evaluate(number, config, config_state=state, user=user)
    check_coherent(verdict)
    if not needs_configuration(number):
        # The configuration cannot change what the record decides.
        assert verdict.sms == evaluate(number, None, config_state=ConfigState.NOT_LOADED, user=user).sms


@settings(max_examples=200, deadline=None)
@given(body=json_values | plausible_configs)
def test_parsers_never_raise(body: Any) -> None:
    parse_sms_configuration(body)
    parse_extension(body)
    parse_phone_number(body)
    try:
        page = parse_page(body)
    except MalformedPage:
        # The one documented exception: only when the body is not a page at all.
        assert not (isinstance(body, dict) and isinstance(body.get("records"), list))
    else:
        assert isinstance(page.records, list)


# --- records generated from the official OpenAPI schemas ---------------------------------------------
# hypothesis-jsonschema 0.23.1 breaks on current Hypothesis internals, so a small generator covers
# the subset of OpenAPI 3.0 these two schemas use: $ref, allOf/anyOf/oneOf, enum, nullable, types.

_MAX_REF_DEPTH = 5


def _from_schema(node: Any, schemas: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    if "$ref" in node:
        if depth >= _MAX_REF_DEPTH:  # recursive schemas end in an empty object
            return st.just({})
        return _from_schema(schemas[node["$ref"].rsplit("/", 1)[-1]], schemas, depth + 1)
    strategy = _from_plain_schema(node, schemas, depth)
    return strategy | st.none() if node.get("nullable") else strategy


def _resolve(node: Any, schemas: dict[str, Any]) -> Any:
    while "$ref" in node:
        node = schemas[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _from_plain_schema(node: Any, schemas: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    if "enum" in node:
        return st.sampled_from([value for value in node["enum"] if value is not None])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return st.one_of([_from_schema(sub, schemas, depth) for sub in node[key]])
    if "allOf" in node:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for sub in node["allOf"]:
            sub = _resolve(sub, schemas)
            merged["properties"].update(sub.get("properties", {}))
            merged["required"] += sub.get("required", [])
        return _from_plain_schema(merged, schemas, depth + 1)
    kind = node.get("type", "object" if "properties" in node else None)
    if kind == "object":
        properties = node.get("properties", {})
        required = set(node.get("required", []))
        strategies = {name: _from_schema(sub, schemas, depth) for name, sub in properties.items()}
        return st.fixed_dictionaries(
            {name: value for name, value in strategies.items() if name in required},
            optional={name: value for name, value in strategies.items() if name not in required},
        )
    if kind == "array":
        return st.lists(_from_schema(node.get("items", {}), schemas, depth), max_size=3)
    if kind == "string":
        return st.text(max_size=12)
    if kind == "integer":
        return st.integers(node.get("minimum", -(2**63)), node.get("maximum", 2**63 - 1))
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    return json_values


@pytest.fixture(scope="module")
def spec_strategies(openapi_spec: dict[str, Any]) -> dict[str, st.SearchStrategy[Any]]:
    schemas = openapi_spec["components"]["schemas"]
    return {
        "number": _from_schema(schemas["UserPhoneNumberInfo"], schemas),
        "config": _from_schema(schemas["SmsConfigurationResource"], schemas),
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_records_generated_from_the_openapi_schemas_are_read_and_evaluated(
    spec_strategies: dict[str, st.SearchStrategy[Any]], data: st.DataObject
) -> None:
    record = data.draw(spec_strategies["number"], label="UserPhoneNumberInfo")
    body = data.draw(spec_strategies["config"], label="SmsConfigurationResource")
    number = parse_phone_number(record)
    config = parse_sms_configuration(body)
    # Anything the spec allows is read without complaint, but for two things the app cannot
    # trust: a record without `id` (the spec lets it omit one) and a `phoneNumber` that is not
    # `+` and digits (the spec gives it no pattern; any other character could show one number
    # as another, so such a record is malformed).
    phone = record.get("phoneNumber")
    if "id" not in record:
        assert number.problem == "the record has no id"
    elif isinstance(phone, str) and not is_dialable(phone):
        assert number.problem == "phoneNumber: should be + and digits only"
    else:
        assert number.problem is None, number.problem
        assert number.id == str(record["id"])
    assert config.problem is None, config.problem
    check_coherent(evaluate(number, config, config_state=ConfigState.LOADED))
