"""Plans for linking numbers and choosing who texts from a shared number (pure)."""

from __future__ import annotations

from rc_sms_desktop.core.models import parse_phone_number
from rc_sms_desktop.core.registrations import (
    NOT_US_CA,
    TcrCampaign,
    campaign_status_words,
    parse_brand,
    parse_campaign,
    plan_link,
    tier_words,
)

CARE = TcrCampaign("2008", "Care", "Confirmed", "LowVolume", ("CustomerCare",), "", "1008")


def test_a_number_outside_us_and_canada_is_refused() -> None:
    london = parse_phone_number({"id": 7, "phoneNumber": "+442071838750", "paymentType": "Local",
                                 "type": "VoiceFax", "status": "Normal",
                                 "country": {"id": "224", "isoCode": "GB"}})
    ok = parse_phone_number({"id": 8, "phoneNumber": "+14165550100", "paymentType": "Local",
                             "type": "VoiceFax", "status": "Normal",
                             "country": {"id": "39", "isoCode": "CA"}})
    plan = plan_link(["+442071838750", "+14165550100"],
                     {"+442071838750": london, "+14165550100": ok}, {}, CARE)
    assert [p.code for p in plan.problems] == [NOT_US_CA]
    assert [c.phone_number for c in plan.changes] == ["+14165550100"]


def test_records_parse_as_open_strings_and_never_raise() -> None:
    campaign = parse_campaign({"id": 5, "status": "BrandNew", "useCases": ["X", 3],
                               "errors": [{"errorCode": "E", "message": "m"}, "junk"]})
    assert campaign is not None and campaign.id == "5" and campaign.use_cases == ("X", "3")
    assert campaign.errors == ("m (E)",)
    assert "BrandNew" in campaign_status_words(campaign.status)
    assert parse_campaign("junk") is None and parse_brand({"name": "no id"}) is None
    assert "6,000" in tier_words("LowVolume") and tier_words("Odd") == "Odd"
