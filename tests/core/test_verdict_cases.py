"""Issue #13's cases through the core: High Volume, the user's permission, root-cause order,
number kinds that never text, ownership without `extension`, per-campaign limits, and one
definition of "US or Canada" shared by the sender and recipient rules."""

from __future__ import annotations

from typing import Any

import pytest

from rc_sms_desktop.core.eligibility import (
    LINK_TCR,
    ConfigState,
    Severity,
    State,
    Verdict,
    evaluate,
    is_us_or_canada,
    needs_configuration,
)
from rc_sms_desktop.core.models import (
    ServiceFeature,
    parse_extension,
)
from rc_sms_desktop.core.number_kinds import US_OR_CANADA_REGIONS
from rc_sms_desktop.core.recipients import is_international, parse_recipient
from tests.core.test_eligibility import codes, config, number

R, B, U = State.READY, State.BLOCKED, State.UNKNOWN


def item(verdict: Verdict, name: str) -> tuple[str, str]:
    found = verdict.check(name)
    assert found is not None, name
    return str(found.state), found.detail


# --- 1. High Volume ------------------------------------------------------------------------------


def test_local_high_volume_number_needs_a_confirmed_campaign() -> None:
    a2p = number(features=["CallerId", "A2PSmsSender"])
    assert needs_configuration(a2p)
    failed = evaluate(a2p, config(status="SubmitFailed"))
    assert failed.high_volume is B
    assert codes(failed) == ["high-volume-only", "campaign-not-confirmed"]
    assert item(failed, "tcr-campaign")[0] == "fail"
    assert evaluate(a2p, config()).high_volume is R


def test_local_high_volume_number_without_its_configuration_is_unknown() -> None:
    verdict = evaluate(number(features=["A2PSmsSender"]), None, config_state=ConfigState.FAILED)
    assert verdict.high_volume is U
    assert "config-unavailable" in codes(verdict)


def test_high_volume_is_only_for_us_and_canadian_numbers() -> None:
    uk = number(phoneNumber="+442079460000", country={"isoCode": "GB"}, features=["A2PSmsSender"])
    verdict = evaluate(uk)
    assert verdict.high_volume is B
    assert "high-volume-us-ca-only" in codes(verdict)
    assert item(verdict, "high-volume-feature")[0] == "fail"


def test_toll_free_high_volume_needs_no_campaign() -> None:
    toll_free = number(phoneNumber="+18885550100", paymentType="TollFree", features=["A2PSmsSender"])
    assert not needs_configuration(toll_free)
    assert evaluate(toll_free).high_volume is R


def test_both_sms_and_high_volume_features_warn() -> None:
    both = number(features=["SmsSender", "A2PSmsSender", "MmsSender"])
    verdict = evaluate(both, config())
    assert verdict.sms is R and verdict.high_volume is R
    warning = next(r for r in verdict.reasons if r.code == "sms-and-high-volume")
    assert warning.severity is Severity.WARNING
    assert "never both" in warning.message


# --- 2. The user's own permission ----------------------------------------------------------------

OFF = ServiceFeature("SMS", enabled=False, reason="Not allowed by the user's role")


def test_user_without_sms_cannot_send_from_any_number() -> None:
    for record in (number(), number(usageType="CompanyNumber"), number(phoneNumber="+18885550100",
                                                                        paymentType="TollFree")):
        verdict = evaluate(record, config(), user=(OFF,))
        assert (verdict.sms, verdict.mms, verdict.international) == (B, B, B)
        assert verdict.main_reason is not None and verdict.main_reason.code == "sms-not-permitted"
        assert "Not allowed by the user's role" in verdict.main_reason.message
        assert "role" in verdict.main_reason.fix
        assert item(verdict, "user-permission")[0] == "fail"
        assert verdict.headline == "Cannot send SMS: your role does not allow SMS"


def test_mms_and_international_permissions_block_only_their_own_capability() -> None:
    user = (ServiceFeature("SMS", True), ServiceFeature("MMS", False), ServiceFeature("InternationalSMS", False))
    verdict = evaluate(number(), config(), user=user)
    assert (verdict.sms, verdict.mms, verdict.international) == (R, B, B)
    assert {"mms-not-permitted", "international-not-permitted"} <= set(codes(verdict))
    assert item(verdict, "user-permission")[0] == "pass"
    assert item(verdict, "mms-feature") == ("fail", "MMS is off for your user")


def test_absent_service_features_are_not_a_refusal() -> None:
    verdict = evaluate(number(), config(), user=None)
    assert verdict.sms is R
    assert item(verdict, "user-permission")[0] == "unknown"  # not reported: never "pass"


def test_service_features_are_read_from_read_extension() -> None:
    ext = parse_extension({"id": 1, "serviceFeatures": [
        {"featureName": "SMS", "enabled": False, "reason": "ExtensionLimitation"},
        {"featureName": "MMS", "enabled": True},
    ]})
    assert ext.service_feature("SMS") == ServiceFeature("SMS", False, "ExtensionLimitation")
    assert ext.service_feature("InternationalSMS") is None
    assert parse_extension({"id": 1}).service_features is None
    assert parse_extension({"id": 1, "serviceFeatures": None}).service_features is None


# --- 4. Root cause first -------------------------------------------------------------------------


def test_reasons_go_from_the_number_to_the_campaign() -> None:
    verdict = evaluate(number(status="Pending"), user=(OFF,))
    assert codes(verdict)[:2] == ["number-not-active", "sms-not-permitted"]
    holder = evaluate(number(usageType="CompanyNumber", features=["CallerId"]), user=(OFF,))
    assert codes(holder) == ["sms-not-permitted", "sms-assigned-elsewhere"]
    assert holder.main_reason is not None and holder.main_reason.code == "sms-not-permitted"


# --- 5. Toll-free ------------------------------------------------------------------------------


def test_shared_toll_free_number_without_sms_is_held_elsewhere() -> None:
    verdict = evaluate(number(phoneNumber="+18885550100", paymentType="TollFree",
                              usageType="CompanyNumber", features=["CallerId"]))
    assert codes(verdict) == ["sms-assigned-elsewhere"]


def test_toll_free_checklist_has_no_campaign() -> None:
    verdict = evaluate(number(phoneNumber="+18885550100", paymentType="TollFree", features=["SmsSender"]))
    assert item(verdict, "tcr-campaign")[0] == "not-applicable"
    assert item(verdict, "toll-free-verification")[0] == "pass"
    assert verdict.daily_limit is None


# --- 6. Kinds that never text ------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"paymentType": "External"},
        {"usageType": "ForwardedNumber"},
        {"usageType": "ForwardedCompanyNumber"},
        {"usageType": "ELIN"},
        {"usageType": "ConferencingNumber"},
        {"usageType": "MeetingsNumber"},
        {"usageType": "ContactCenterNumber"},
        {"usageType": "CompanyFaxNumber"},
        {"usageType": "BusinessMobileNumber", "features": ["CallerId"]},
        {"usageType": "SomethingNew", "features": ["CallerId"]},
    ],
)
def test_numbers_that_can_never_text_get_no_tcr_advice(fields: dict[str, Any]) -> None:
    verdict = evaluate(number(**fields))
    assert (verdict.sms, verdict.mms, verdict.international, verdict.high_volume) == (B, B, B, B)
    assert codes(verdict) == ["number-kind-cannot-text"]
    reason = verdict.reasons[0]
    assert reason.link != LINK_TCR and "TCR" not in reason.fix
    assert not needs_configuration(verdict.number)
    assert item(verdict, "number-status")[0] == "fail"


def test_undocumented_kind_with_sms_sender_is_decided_by_its_features() -> None:
    mobile = number(usageType="BusinessMobileNumber")
    assert "number-kind-cannot-text" not in codes(evaluate(mobile, config()))
    assert evaluate(mobile, config()).sms is R


# --- 7. Ownership without the `extension` object ---------------------------------------------


def test_caller_id_only_number_without_extension_is_not_called_yours() -> None:
    verdict = evaluate(number(extension=..., features=["CallerId"]))
    reason = verdict.reasons[0]
    assert reason.code == "no-sms-feature"
    assert "caller ID only" in reason.message
    assert "did not say which extension" in reason.message
    assert item(verdict, "sms-holder")[0] == "unknown"


def test_own_number_with_sms_and_no_extension_object_is_held_here() -> None:
    verdict = evaluate(number(extension=...), config())
    assert verdict.sms is R
    assert item(verdict, "sms-holder")[0] == "pass"


# --- 8. The daily limit is per campaign --------------------------------------------------------


def test_daily_limit_names_its_campaign() -> None:
    verdict = evaluate(number(), config(tier="LowVolume", id="2010"))
    limit = next(r for r in verdict.reasons if r.code == "daily-limit")
    assert "campaign 2010" in limit.message
    assert "linked to that campaign" in limit.message
    assert "company" not in limit.message


# --- 9. One "US or Canada" -----------------------------------------------------------------------

NANP_SAMPLES = {
    "US": "+16505550100", "CA": "+14165550100", "PR": "+17875550100", "VI": "+13405550100",
    "GU": "+16715550100", "AS": "+16845550100", "MP": "+16705550100", "JM": "+18765550100",
    "BS": "+12425550100", "DO": "+18095550100", "GB": "+442079460000",
}


@pytest.mark.parametrize(("region", "e164"), sorted(NANP_SAMPLES.items()))
def test_sender_and_recipient_rules_agree_on_us_or_canada(region: str, e164: str) -> None:
    by_iso = number(phoneNumber=e164, country={"isoCode": region})
    by_number = number(phoneNumber=e164, country=...)
    sender_says = is_us_or_canada(by_iso)
    assert is_us_or_canada(by_number) == sender_says
    assert sender_says == (region in US_OR_CANADA_REGIONS)
    # A recipient there is domestic for a US sender exactly when it is "US or Canada".
    recipient = parse_recipient(e164, from_region="US")
    assert recipient.region == region
    assert recipient.international == (not sender_says)
    assert is_international(region, "CA") == (not sender_says)


def test_puerto_rico_sender_needs_a_campaign() -> None:
    pr = number(phoneNumber="+17875550100", country={"isoCode": "PR"})
    assert needs_configuration(pr)
    assert evaluate(pr, config(status="Submitted")).sms is B


def test_unknown_number_is_international_by_its_calling_code() -> None:
    recipient = parse_recipient("+44 7700 900123", from_region="US")
    assert recipient.ok and recipient.international
    assert recipient.warning is not None  # the doubt stays, as a warning
    assert recipient.country_name == "United Kingdom"
    assert not parse_recipient("+1 999 555 0100", from_region="US").international
