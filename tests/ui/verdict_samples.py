"""Verdicts for UI tests, built by the real core from RingCentral-shaped JSON (no Qt, no I/O)."""

from __future__ import annotations

from typing import Any

from rc_sms_desktop.core.eligibility import ConfigState, Verdict, evaluate
from rc_sms_desktop.core.models import parse_phone_number, parse_sms_configuration

US = {"id": "1", "isoCode": "US", "name": "United States"}
ALL_SMS = ["CallerId", "SmsSender", "MmsSender", "InternationalSmsSender"]


def number(
    number_id: str,
    e164: str,
    *,
    features: list[str] | None = None,
    usage: str = "DirectNumber",
    payment: str = "Local",
    label: str | None = None,
    status: str = "Normal",
    owner_type: str = "User",
    number_type: str = "VoiceFax",
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": number_id,
        "phoneNumber": e164,
        "paymentType": payment,
        "type": number_type,
        "usageType": usage,
        "status": status,
        "features": ALL_SMS if features is None else features,
        "country": US,
        "extension": {"id": "100", "extensionNumber": "101", "name": "Alex Rivera", "type": owner_type},
    }
    if label is not None:
        record["label"] = label
    return record


def config(number_id: str, e164: str, *, campaign: str | None = "Confirmed", brand: str = "Verified",
           use_cases: tuple[str, ...] = ("CustomerCare", "DeliveryNotification"),
           tier: str = "LowVolume") -> dict[str, Any]:
    body: dict[str, Any] = {"phoneNumberId": number_id, "phoneNumber": e164}
    if campaign is not None:
        body["smsCampaignInfo"] = {"id": "2008", "status": campaign, "registrationTier": tier,
                                   "useCases": list(use_cases)}
        body["smsBrandInfo"] = {"id": "1008", "status": brand}
    return body


def verdict(raw_number: dict[str, Any], raw_config: dict[str, Any] | None = None,
            state: ConfigState | None = None) -> Verdict:
    parsed_config = parse_sms_configuration(raw_config) if raw_config is not None else None
    return evaluate(parse_phone_number(raw_number), parsed_config, config_state=state)


READY_E164 = "+16505550101"
PENDING_E164 = "+16505550105"
TOLL_FREE_E164 = "+18335550104"
FAX_E164 = "+16505550113"
COMPANY_E164 = "+16505550100"
LOADING_E164 = "+14155550109"


def sample_verdicts() -> list[Verdict]:
    """One of each kind a picker must show apart."""
    return [
        verdict(number("1", READY_E164, label="Sales line"), config("1", READY_E164)),
        verdict(number("5", PENDING_E164, label="Events"), config("5", PENDING_E164, campaign="Submitted")),
        verdict(number("4", TOLL_FREE_E164, payment="TollFree", features=["CallerId", "SmsSender"],
                       label="Toll-free support")),
        verdict(number("13", FAX_E164, number_type="FaxOnly", features=[], label="Fax")),
        verdict(number("0", COMPANY_E164, usage="MainCompanyNumber", features=["CallerId"], label="Main number")),
        verdict(number("9", LOADING_E164, label="New line"), None, ConfigState.LOADING),
        verdict({"id": "77", "phoneNumber": 12345, "features": "oops"}),
    ]
