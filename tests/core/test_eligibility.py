"""The eligibility rules: every reason code, every state combination the guide describes."""

from __future__ import annotations

from typing import Any

import pytest

from rc_sms_desktop.core.eligibility import (
    LINK_CALL_QUEUE_SMS,
    LINK_COMPANY_SMS,
    LINK_TCR,
    LINK_TOLL_FREE,
    ConfigState,
    Fixer,
    Severity,
    State,
    Verdict,
    evaluate,
    is_us_or_canada,
    needs_configuration,
    sender_sort_key,
)
from rc_sms_desktop.core.models import PhoneNumber, parse_phone_number, parse_sms_configuration

ALL_SMS = ("CallerId", "SmsSender", "MmsSender", "InternationalSmsSender")


def number(**fields: Any) -> PhoneNumber:
    record: dict[str, Any] = {
        "id": 11,
        "phoneNumber": "+16505550100",
        "paymentType": "Local",
        "type": "VoiceFax",
        "usageType": "DirectNumber",
        "status": "Normal",
        "features": list(ALL_SMS),
        "country": {"id": "1", "isoCode": "US", "name": "United States"},
        "extension": {"id": 7, "extensionNumber": "101", "name": "Alex", "type": "User"},
    }
    record.update(fields)
    for key in [key for key, value in record.items() if value is ...]:
        del record[key]  # `...` removes a field, to test absent fields
    parsed = parse_phone_number(record)
    assert parsed.problem is None, parsed.problem
    return parsed


def config(
    status: str | None = "Confirmed",
    brand: str | None = "Verified",
    tier: str | None = "StandardVolume",
    use_cases: tuple[str, ...] = ("CustomerCare",),
    **campaign_extra: Any,
) -> Any:
    campaign: dict[str, Any] = {"id": "2008", "useCases": list(use_cases), **campaign_extra}
    if status is not None:
        campaign["status"] = status
    if tier is not None:
        campaign["registrationTier"] = tier
    body: dict[str, Any] = {"phoneNumberId": "11", "phoneNumber": "+16505550100", "smsCampaignInfo": campaign}
    if brand is not None:
        body["smsBrandInfo"] = {"id": "1008", "status": brand}
    return parse_sms_configuration(body)


def codes(verdict: Verdict) -> list[str]:
    return [reason.code for reason in verdict.reasons]


def states(verdict: Verdict) -> tuple[str, str, str, str]:
    return (verdict.sms, verdict.mms, verdict.international, verdict.high_volume)


R, B, U = State.READY, State.BLOCKED, State.UNKNOWN


# --- fully ready ---------------------------------------------------------------------------


def test_local_number_with_confirmed_campaign_is_ready_for_everything() -> None:
    verdict = evaluate(number(), config(use_cases=("CustomerCare", "Marketing")))
    assert states(verdict) == (R, R, R, B)
    assert verdict.can_send_sms
    assert verdict.reasons == ()
    assert verdict.use_cases == ("CustomerCare", "Marketing")
    assert verdict.daily_limit is None
    assert verdict.headline == "Ready to send SMS and MMS"
    assert verdict.main_reason is None


def test_low_volume_campaign_reports_the_daily_limit_without_blocking() -> None:
    verdict = evaluate(number(), config(tier="LowVolume"))
    assert states(verdict) == (R, R, R, B)
    assert verdict.daily_limit == 6000
    (reason,) = verdict.reasons
    assert reason.code == "daily-limit"
    assert reason.severity is Severity.INFO
    assert "6,000" in reason.message


# --- features decide -----------------------------------------------------------------------


def test_no_sms_feature_blocks_everything_with_or_without_configuration() -> None:
    plain = number(features=["CallerId"])
    for verdict in (
        evaluate(plain),
        evaluate(plain, config()),
        evaluate(plain, None, config_state=ConfigState.FAILED),
    ):
        assert states(verdict) == (B, B, B, B)
        assert codes(verdict) == ["no-sms-feature"]
        reason = verdict.reasons[0]
        assert reason.severity is Severity.ERROR
        assert reason.who is Fixer.ACCOUNT_ADMIN
        assert reason.link == LINK_TCR
        assert verdict.headline == "Cannot send SMS: number not SMS-enabled"
    assert not needs_configuration(plain)


def test_absent_features_mean_no_features() -> None:
    verdict = evaluate(number(features=...))
    assert codes(verdict) == ["no-sms-feature"]
    assert verdict.sms is B


def test_mms_needs_mms_sender() -> None:
    verdict = evaluate(number(features=["SmsSender", "InternationalSmsSender"]), config())
    assert states(verdict) == (R, B, R, B)
    assert codes(verdict) == ["no-mms-feature"]
    assert verdict.headline == "Ready to send SMS (no MMS)"
    assert verdict.main_reason is not None and verdict.main_reason.code == "no-mms-feature"


def test_international_needs_international_sms_sender() -> None:
    verdict = evaluate(number(features=["SmsSender", "MmsSender"]), config())
    assert states(verdict) == (R, R, B, B)
    assert codes(verdict) == ["no-international-feature"]
    assert verdict.headline == "Ready to send SMS and MMS"


def test_mms_and_international_features_do_not_help_without_sms() -> None:
    verdict = evaluate(number(features=["MmsSender", "InternationalSmsSender"]))
    assert states(verdict) == (B, B, B, B)
    # Only the reason that matters is shown, not a pile of consequences.
    assert codes(verdict) == ["no-sms-feature"]


# --- shared numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "link", "owner_words"),
    [
        ({"usageType": "MainCompanyNumber"}, LINK_COMPANY_SMS, "the company"),
        ({"usageType": "CompanyNumber"}, LINK_COMPANY_SMS, "the company"),
        ({"usageType": "AdditionalCompanyNumber"}, LINK_COMPANY_SMS, "the company"),
        ({"extension": {"id": 9, "type": "Department"}}, LINK_CALL_QUEUE_SMS, "a call queue"),
        ({"extension": {"id": 9, "type": "IvrMenu"}}, LINK_COMPANY_SMS, "an IVR menu"),
        ({"extension": {"id": 9, "type": "Site"}}, LINK_COMPANY_SMS, "a site"),
    ],
)
def test_shared_number_without_sms_sender_is_assigned_elsewhere(
    fields: dict[str, Any], link: str, owner_words: str
) -> None:
    verdict = evaluate(number(features=["CallerId"], **fields))
    assert states(verdict) == (B, B, B, B)
    assert codes(verdict) == ["sms-assigned-elsewhere"]  # instead of no-sms-feature
    reason = verdict.reasons[0]
    assert reason.who is Fixer.ACCOUNT_ADMIN
    assert reason.link == link
    assert owner_words in reason.message
    assert verdict.headline == "Cannot send SMS: SMS assigned to another extension"


def test_shared_number_whose_sms_is_assigned_to_you_follows_the_normal_rules() -> None:
    verdict = evaluate(number(usageType="MainCompanyNumber"), config())
    assert states(verdict) == (R, R, R, B)


# --- fax, inactive ----------------------------------------------------------------------------


def test_fax_only_blocks_everything_even_with_features() -> None:
    fax = number(type="FaxOnly", features=["SmsSender", "A2PSmsSender"])
    verdict = evaluate(fax, config())
    assert states(verdict) == (B, B, B, B)
    assert codes(verdict) == ["fax-only"]
    assert not needs_configuration(fax)
    assert verdict.headline == "Cannot send SMS: fax-only number"


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("PortedIn", "ported"),
        ("Pending", "pending"),
        ("Temporary", "temporary"),
        ("Unknown", "unknown"),
        ("Frobnicated", "Frobnicated"),
    ],
)
def test_number_not_active_blocks_everything(status: str, words: str) -> None:
    inactive = number(status=status, features=["SmsSender", "A2PSmsSender"])
    verdict = evaluate(inactive, config())
    assert states(verdict) == (B, B, B, B)
    assert codes(verdict) == ["number-not-active"]
    assert words in verdict.reasons[0].message
    assert status in verdict.headline
    assert not needs_configuration(inactive)


def test_absent_status_is_not_treated_as_inactive() -> None:
    verdict = evaluate(number(status=...), config())
    assert verdict.sms is R


# --- TCR configuration ------------------------------------------------------------------------


def test_local_number_without_campaign_is_blocked() -> None:
    body = parse_sms_configuration({"phoneNumberId": "11", "phoneNumber": "+16505550100"})
    verdict = evaluate(number(), body)
    assert states(verdict) == (B, B, B, B)
    assert codes(verdict) == ["no-campaign"]
    assert verdict.reasons[0].link == LINK_TCR
    assert verdict.headline == "Cannot send SMS: not linked to an SMS campaign"


@pytest.mark.parametrize(
    ("status", "summary", "words"),
    [
        ("Created", "campaign pending review", "pending review"),
        ("Submitted", "campaign pending review", "pending review"),
        ("UpdateRequested", "campaign pending review", "pending review"),
        ("Draft", "campaign pending review", "draft"),
        ("SubmitFailed", "campaign rejected", "rejected"),
        ("PreVetFailed", "campaign rejected", "rejected"),
        ("PreventFailed", "campaign rejected", "rejected"),
        ("Unconfirmed", "campaign rejected", "rejected"),
        ("CampaignSuspended", "campaign suspended", "suspended"),
        ("CampaignExpired", "campaign expired", "expired"),
        ("DeleteRequested", "campaign deletion requested", "deleted"),
        ("SomethingNew", "campaign status SomethingNew", "SomethingNew"),
    ],
)
def test_campaign_not_confirmed_blocks_with_wording_per_status(status: str, summary: str, words: str) -> None:
    verdict = evaluate(number(), config(status=status))
    assert states(verdict) == (B, B, B, B)
    assert codes(verdict) == ["campaign-not-confirmed"]
    assert words in verdict.reasons[0].message
    assert verdict.headline == f"Cannot send SMS: {summary}"


def test_campaign_without_status_is_not_confirmed() -> None:
    verdict = evaluate(number(), config(status=None))
    assert verdict.sms is B
    assert codes(verdict) == ["campaign-not-confirmed"]


@pytest.mark.parametrize("brand", ["Unverified", "Submitted", "SubmitFailed", "Suspended", "Expired", "DeleteRequested"])
def test_unverified_brand_under_a_confirmed_campaign_is_a_warning(brand: str) -> None:
    # The guide makes the campaign status decide: Confirmed sends, whatever the brand says.
    verdict = evaluate(number(), config(brand=brand))
    assert verdict.sms is R
    assert codes(verdict) == ["brand-not-verified"]
    assert verdict.reasons[0].severity is Severity.WARNING
    assert brand in verdict.reasons[0].message
    assert "may" in verdict.reasons[0].message  # says what may follow
    brand_item = verdict.check("tcr-brand")
    assert brand_item is not None and brand_item.state == "unknown"


@pytest.mark.parametrize("brand", ["Unverified", "Submitted", "SubmitFailed", "Suspended", "Expired", "DeleteRequested"])
def test_unverified_brand_is_the_root_cause_of_an_unconfirmed_campaign(brand: str) -> None:
    verdict = evaluate(number(), config(status="Submitted", brand=brand))
    assert verdict.sms is B
    assert codes(verdict) == ["brand-not-verified", "campaign-not-confirmed"]
    assert verdict.reasons[0].severity is Severity.ERROR
    assert verdict.main_reason is verdict.reasons[0]
    assert verdict.headline == "Cannot send SMS: brand not verified"
    brand_item = verdict.check("tcr-brand")
    assert brand_item is not None and brand_item.state == "fail"


def test_unknown_brand_status_is_shown_raw_as_a_warning() -> None:
    verdict = evaluate(number(), config(brand="Gleaming"))
    assert verdict.sms is R  # the guide only documents the campaign status as decisive
    assert codes(verdict) == ["brand-not-verified"]
    assert verdict.reasons[0].severity is Severity.WARNING
    assert "Gleaming" in verdict.reasons[0].message


def test_missing_brand_with_confirmed_campaign_is_a_warning() -> None:
    verdict = evaluate(number(), config(brand=None))
    assert verdict.sms is R
    assert codes(verdict) == ["brand-not-verified"]
    assert verdict.reasons[0].severity is Severity.WARNING


def test_confirmed_brand_status_is_accepted_because_the_spec_types_it_as_a_campaign_status() -> None:
    assert evaluate(number(), config(brand="Confirmed")).reasons == ()


def test_campaign_and_brand_problems_are_both_reported() -> None:
    verdict = evaluate(number(), config(status="Submitted", brand="Unverified", tier="LowVolume"))
    assert codes(verdict) == ["brand-not-verified", "campaign-not-confirmed"]
    assert verdict.daily_limit == 6000  # still a fact of the campaign
    assert verdict.main_reason is not None and verdict.main_reason.code == "brand-not-verified"


def test_registration_errors_from_ringcentral_are_shown() -> None:
    body = config(errors=[{"errorCode": "TCR-1", "message": "Website unreachable"}])
    verdict = evaluate(number(), body)
    assert codes(verdict) == ["campaign-errors"]
    assert "Website unreachable" in verdict.reasons[0].message


# --- configuration not available -----------------------------------------------------------


@pytest.mark.parametrize("state", [ConfigState.NOT_LOADED, ConfigState.FAILED, ConfigState.NOT_NEEDED])
def test_missing_configuration_makes_sms_unknown_never_blocked(state: ConfigState) -> None:
    verdict = evaluate(number(), None, config_state=state)
    assert states(verdict) == (U, U, U, B)
    assert codes(verdict) == ["config-unavailable"]
    assert verdict.reasons[0].severity is Severity.WARNING
    assert verdict.headline == "SMS not confirmed: registration could not be checked"


def test_failed_and_not_loaded_are_worded_differently() -> None:
    failed = evaluate(number(), None, config_state=ConfigState.FAILED).reasons[0].message
    not_loaded = evaluate(number(), None, config_state=ConfigState.NOT_LOADED).reasons[0].message
    assert "could not be loaded" in failed
    assert "not been loaded" in not_loaded


def test_default_config_state_follows_what_was_given() -> None:
    assert evaluate(number()).config_state is ConfigState.NOT_LOADED
    assert evaluate(number(), config()).config_state is ConfigState.LOADED
    assert evaluate(number(features=["CallerId"])).config_state is ConfigState.NOT_NEEDED


def test_loading_configuration_says_so() -> None:
    verdict = evaluate(number(), None, config_state=ConfigState.LOADING)
    assert states(verdict) == (U, U, U, B)
    assert codes(verdict) == ["loading"]
    assert verdict.headline == "Checking SMS registration…"


def test_unreadable_or_error_configuration_is_unavailable_not_no_campaign() -> None:
    for body in ({"errors": [{"errorCode": "CMN-102", "message": "Not found"}]}, ["nonsense"]):
        verdict = evaluate(number(), parse_sms_configuration(body))
        assert verdict.sms is U
        assert codes(verdict) == ["config-unavailable"]
        assert "could not be read" in verdict.reasons[0].message


def test_missing_configuration_still_lets_mms_and_international_be_blocked_by_features() -> None:
    verdict = evaluate(number(features=["SmsSender"]), None, config_state=ConfigState.FAILED)
    assert states(verdict) == (U, B, B, B)
    assert codes(verdict) == ["config-unavailable", "no-mms-feature", "no-international-feature"]
    assert verdict.main_reason is not None and verdict.main_reason.code == "config-unavailable"


# --- toll-free ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"paymentType": "TollFree", "phoneNumber": "+18005550100"},
        {"paymentType": "ExternalNumberProviderTollFree", "phoneNumber": "+18005550100"},
        {"paymentType": "Local", "phoneNumber": "+18885550100"},  # the prefix alone is enough
        {"paymentType": ..., "phoneNumber": "+18335550100"},
    ],
)
def test_toll_free_number_needs_no_campaign_and_never_sends_mms(fields: dict[str, Any]) -> None:
    toll_free = number(**fields)
    assert not needs_configuration(toll_free)
    verdict = evaluate(toll_free)
    assert states(verdict) == (R, B, B, B)
    assert codes(verdict) == ["toll-free-no-mms", "international-from-toll-free"]
    assert verdict.headline == "Ready to send SMS (no MMS)"


def test_unverified_toll_free_number_points_to_verification_not_tcr() -> None:
    verdict = evaluate(number(paymentType="TollFree", phoneNumber="+18005550100", features=["CallerId"]))
    assert states(verdict) == (B, B, B, B)
    assert codes(verdict) == ["toll-free-not-verified"]
    reason = verdict.reasons[0]
    assert reason.link == LINK_TOLL_FREE
    assert "TCR" not in reason.fix and "campaign" not in reason.fix
    assert "toll-free verification" in reason.message
    assert {c.item: c.state for c in verdict.checklist}["toll-free-verification"] == "fail"
    assert {c.item: c.state for c in verdict.checklist}["tcr-campaign"] == "not-applicable"


def test_toll_free_numbers_never_get_a_tcr_daily_limit() -> None:
    toll_free = number(paymentType="TollFree", phoneNumber="+18005550100")
    verdict = evaluate(toll_free, config(use_cases=("Marketing",), tier="LowVolume"),
                       config_state=ConfigState.NOT_NEEDED)
    assert verdict.use_cases == () and verdict.daily_limit is None
    assert "daily-limit" not in codes(verdict)
    assert verdict.sms is R
    assert verdict.to_json()["dailyLimit"] is None


def test_campaign_facts_are_shown_for_a_non_us_number_someone_fetched_them_for() -> None:
    uk = number(phoneNumber="+442079460000", country={"isoCode": "GB"})
    verdict = evaluate(uk, config(use_cases=("Marketing",), tier="LowVolume"),
                       config_state=ConfigState.NOT_NEEDED)
    assert verdict.use_cases == ("Marketing",) and verdict.daily_limit == 6000


def test_toll_free_prefix_check_applies_only_to_north_american_numbers() -> None:
    # +1 800 is toll-free; +44 800 starts with 800 too but is not +1.
    uk = number(phoneNumber="+448005550100", country={"isoCode": "GB"}, features=["SmsSender", "MmsSender"])
    assert evaluate(uk).mms is R


# --- high volume ----------------------------------------------------------------------------


def test_high_volume_number_without_sms_sender() -> None:
    verdict = evaluate(number(features=["CallerId", "A2PSmsSender"]), config())
    assert states(verdict) == (B, B, B, R)
    assert codes(verdict) == ["high-volume-only"]
    assert verdict.headline == "High Volume SMS only"
    assert verdict.reasons[0].who is Fixer.YOU


def test_high_volume_on_a_shared_number_is_still_high_volume_only() -> None:
    verdict = evaluate(number(usageType="CompanyNumber", features=["A2PSmsSender"]), config())
    assert codes(verdict) == ["high-volume-only"]


def test_high_volume_is_blocked_without_a2p_feature() -> None:
    assert evaluate(number(), config()).high_volume is B


# --- countries ------------------------------------------------------------------------------


def test_number_outside_us_and_canada_is_decided_by_features_alone() -> None:
    uk = number(phoneNumber="+442079460000", country={"id": "224", "isoCode": "GB"})
    assert not is_us_or_canada(uk)
    assert not needs_configuration(uk)
    assert states(evaluate(uk)) == (R, R, R, B)


def test_canadian_number_needs_a_campaign() -> None:
    canadian = number(phoneNumber="+14165550100", country={"id": "39", "isoCode": "CA"})
    assert needs_configuration(canadian)


def test_country_is_taken_from_the_number_when_the_record_has_none() -> None:
    assert needs_configuration(number(country=...))
    assert not needs_configuration(number(country=..., phoneNumber="+442079460000"))
    # The list schema has no isoCode: the country name is enough.
    assert is_us_or_canada(number(country={"id": "1", "name": "United States"}, phoneNumber="+4420"))


# --- malformed ------------------------------------------------------------------------------


def test_malformed_record_is_blocked_with_its_problem() -> None:
    broken = parse_phone_number({"id": 5, "phoneNumber": "+16505550100", "features": "SmsSender"})
    assert broken.problem is not None
    verdict = evaluate(broken, config())
    assert states(verdict) == (B, B, B, B)
    assert codes(verdict) == ["malformed-record"]
    assert "features" in verdict.reasons[0].message
    assert not needs_configuration(broken)
    assert verdict.to_json()["id"] == "5"


# --- reasons carry everything a person needs ----------------------------------------------------


def test_every_reason_says_what_to_do_and_who() -> None:
    samples = [
        evaluate(number(features=["CallerId"])),
        evaluate(number(usageType="MainCompanyNumber", features=[])),
        evaluate(number(type="FaxOnly")),
        evaluate(number(status="Pending")),
        evaluate(number(features=["A2PSmsSender"])),
        evaluate(number(), config(status="Submitted", brand="Unverified", tier="LowVolume")),
        evaluate(number(), config(tier="LowVolume")),
        evaluate(number(), parse_sms_configuration({"phoneNumberId": "11"})),
        evaluate(number(paymentType="TollFree")),
        evaluate(number(features=["SmsSender"]), config()),
        evaluate(number(), None, config_state=ConfigState.FAILED),
        evaluate(number(), None, config_state=ConfigState.LOADING),
        evaluate(parse_phone_number("junk")),
    ]
    seen = set()
    for verdict in samples:
        for reason in verdict.reasons:
            seen.add(reason.code)
            assert reason.message.strip() and reason.fix.strip() and reason.summary
            assert isinstance(reason.who, Fixer)
            assert set(reason.to_json()) == {"code", "severity", "message", "fix"}
            if reason.link:
                assert reason.link in reason.to_json()["fix"]
    assert {
        "no-sms-feature", "sms-assigned-elsewhere", "fax-only", "number-not-active",
        "campaign-not-confirmed", "brand-not-verified", "toll-free-no-mms", "no-mms-feature",
        "no-international-feature", "high-volume-only", "config-unavailable", "daily-limit",
        "malformed-record", "loading", "international-from-toll-free", "no-campaign",
    } <= seen


def test_verdict_json_shape() -> None:
    verdict = evaluate(number(id=42), config(tier="LowVolume", use_cases=("Marketing", "Zany")))
    assert verdict.to_json() == {
        "id": "42",
        "phoneNumber": "+16505550100",
        "sms": "ready",
        "mms": "ready",
        "international": "ready",
        "highVolume": "blocked",
        "useCases": ["Marketing", "Zany"],
        "dailyLimit": 6000,
        "reasons": [verdict.reasons[0].to_json()],
        "checklist": [item.to_json() for item in verdict.checklist],
    }
    assert [item["item"] for item in verdict.to_json()["checklist"]] == [
        "number-status", "user-permission", "sms-feature", "mms-feature", "international-feature",
        "high-volume-feature", "sms-holder", "tcr-campaign", "tcr-brand", "toll-free-verification",
    ]


# --- picker order ---------------------------------------------------------------------------


def test_sender_sort_key_puts_ready_first_then_unknown_then_blocked() -> None:
    ready_company = evaluate(number(phoneNumber="+16505550001", usageType="CompanyNumber"), config())
    ready_direct = evaluate(number(phoneNumber="+16505550009"), config())
    ready_primary = evaluate(number(phoneNumber="+16505550005", primary=True), config())
    unknown = evaluate(number(phoneNumber="+16505550002"), None, config_state=ConfigState.LOADING)
    blocked = evaluate(number(phoneNumber="+16505550003", features=[]))
    ordered = sorted([blocked, unknown, ready_company, ready_direct, ready_primary], key=sender_sort_key)
    assert ordered == [ready_primary, ready_direct, ready_company, unknown, blocked]
