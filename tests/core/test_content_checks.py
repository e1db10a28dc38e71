"""Content checks: what a user is told about a text before it leaves, for each kind of sender."""

from __future__ import annotations

from typing import Any

from rc_sms_desktop.core.content_checks import (
    CONTENT_OUTSIDE_USE_CASES,
    MARKETING_WITHOUT_OPT_OUT,
    PUBLIC_URL_SHORTENER,
    RESTRICTED_CONTENT,
    TOLL_FREE_NO_USE_CASES,
    Category,
    Fit,
    check_content,
    recognise,
)
from rc_sms_desktop.core.eligibility import Severity, Verdict, evaluate
from rc_sms_desktop.core.models import parse_sms_configuration
from tests.core.test_preflight import number as preflight_number

CARE = ["CustomerCare", "AccountNotification", "DeliveryNotification"]


def sender(
    use_cases: list[str] | None = None,
    *,
    phone: str = "+16505550101",
    payment_type: str = "Local",
    features: tuple[str, ...] = ("SmsSender", "MmsSender"),
) -> Verdict:
    number = preflight_number(phone, list(features), payment_type=payment_type)
    config: Any = None
    if use_cases is not None:
        config = parse_sms_configuration(
            {
                "phoneNumberId": "1",
                "phoneNumber": phone,
                "smsCampaignInfo": {"id": "c", "status": "Confirmed", "useCases": use_cases},
                "smsBrandInfo": {"id": "b", "status": "Verified"},
            }
        )
    return evaluate(number, config)


def codes(text: str, verdict: Verdict | None = None) -> list[str]:
    return [finding.code for finding in check_content(text, verdict).findings]


def test_marketing_from_a_care_campaign_is_outside_and_names_what_would_fit() -> None:
    check = check_content("Spring sale! 25% off all jackets. Reply STOP to opt out.", sender(CARE))
    assert check.fit is Fit.OUTSIDE and not check.fits
    (finding,) = check.findings
    assert finding.code == CONTENT_OUTSIDE_USE_CASES
    assert finding.severity is Severity.WARNING and not finding.blocks_sending
    assert "marketing" in finding.message
    assert "Customer care" in finding.message  # what the number is registered for
    assert "Marketing" in finding.fix  # what would fit
    assert check.would_fit == ("Marketing",)


def test_a_delivery_notice_fits_a_campaign_with_delivery_updates() -> None:
    check = check_content("Your order #4821 has shipped! Track it on our site.", sender(CARE))
    assert check.fit is Fit.FITS
    assert check.matched == ("DeliveryNotification",)
    assert check.fit_note() == "fits: Delivery updates"
    assert check.findings == ()


def test_passcodes_need_machine_to_machine() -> None:
    text = "Your verification code is 482913. It expires in 10 minutes."
    assert recognise(text).main is Category.PASSCODE
    assert codes(text, sender(CARE)) == [CONTENT_OUTSIDE_USE_CASES]
    assert codes(text, sender(["MachineToMachine"])) == []


def test_each_recognised_category_maps_to_its_use_case() -> None:
    samples = {
        "Security alert: a new sign-in to your account from Chrome. If this wasn't you, reset "
        "your password.": "SecurityAlert",
        "Fraud alert: did you make a $482 purchase with your card ending 4421? Reply YES or NO.":
            "FraudAlert",
        "Reminder: your payment of $89.50 is due on June 5.": "AccountNotification",
        "Quick survey: how would you rate your visit today from 1 to 5?": "PollingVoting",
    }
    for text, use_case in samples.items():
        check = check_content(text, sender([use_case]))
        assert check.fit is Fit.FITS, text
        outside = check_content(text, sender(["Marketing"]))
        assert outside.fit is Fit.OUTSIDE, text
        assert use_case in outside.would_fit, text


def test_plain_conversation_is_compared_with_nothing() -> None:
    check = check_content("Running 10 minutes late, see you soon.", sender(["Marketing"]))
    assert check.fit is Fit.NEUTRAL and check.findings == ()


def test_mixed_and_unknown_use_cases_are_not_second_guessed() -> None:
    # A Mixed campaign's sub-use-cases are not in the API, so the app cannot say it is outside.
    text = "Your verification code is 482913."
    assert check_content(text, sender(["Marketing", "Mixed"])).fit is Fit.NEUTRAL
    assert check_content(text, sender(["SomethingNew"])).fit is Fit.NEUTRAL


def test_toll_free_says_there_are_no_use_cases_instead_of_comparing() -> None:
    toll_free = sender(phone="+18335550104", payment_type="TollFree", features=("SmsSender",))
    check = check_content("Your verification code is 482913.", toll_free)
    assert check.fit is Fit.NEUTRAL
    (finding,) = check.findings
    assert finding.code == TOLL_FREE_NO_USE_CASES and finding.severity is Severity.INFO
    assert "toll-free" in finding.message.lower()
    # The other content rules still apply to toll-free numbers.
    assert RESTRICTED_CONTENT in codes("Happy hour: $5 margaritas! Reply STOP to opt out", toll_free)


def test_marketing_without_opt_out_words() -> None:
    assert MARKETING_WITHOUT_OPT_OUT in codes("Flash deal: 40% off all laptops today!")
    for opt_out in ("Reply STOP to opt out.", "Text STOP to unsubscribe", "Txt END to quit"):
        assert MARKETING_WITHOUT_OPT_OUT not in codes(f"Flash deal: 40% off laptops. {opt_out}")
    # Not marketing, no opt-out needed.
    assert codes("Your package was delivered at 2:14 pm.") == []


def test_high_volume_numbers_are_told_stop_replies_are_recorded_for_them() -> None:
    high_volume = sender(["Marketing"], features=("A2PSmsSender",))
    (finding,) = check_content("Flash deal: 40% off all laptops today!", high_volume).findings
    assert finding.code == MARKETING_WITHOUT_OPT_OUT
    assert "High Volume" in finding.message
    regular = sender(["Marketing"])
    (finding,) = check_content("Flash deal: 40% off all laptops today!", regular).findings
    assert "does not record opt-outs" in finding.message


def test_public_url_shorteners_are_named() -> None:
    findings = check_content("Your order shipped: https://bit.ly/3xYz and tinyurl.com/abc").findings
    (finding,) = [f for f in findings if f.code == PUBLIC_URL_SHORTENER]
    assert "bit.ly" in finding.message and "tinyurl.com" in finding.message
    # The sender's own domain, or a longer host merely ending in a shortener's name, is fine.
    assert PUBLIC_URL_SHORTENER not in codes("Track it at https://riverachen.example.com/t/1")
    assert PUBLIC_URL_SHORTENER not in codes("See https://orbit.ly.example.com/x")


def test_restricted_content_names_the_category() -> None:
    samples = {
        "Gun show this weekend: rifles and ammo.": "firearms",
        "New vape flavors in stock!": "tobacco",
        "20% off edibles at our dispensary.": "cannabis",
        "Wine tasting Friday.": "alcohol",
        "Watch XXX videos now.": "sexual",
        "Go back where you came from.": "hate",
    }
    for text, word in samples.items():
        findings = [f for f in check_content(text).findings if f.code == RESTRICTED_CONTENT]
        assert findings, text
        assert word in findings[0].message, text
        assert findings[0].severity is Severity.WARNING


def test_every_finding_is_a_warning_or_info_and_never_blocks() -> None:
    text = "SALE 50% off vapes and beer at bit.ly/x"
    for verdict in (None, sender(CARE), sender(phone="+18885550118", payment_type="TollFree")):
        for finding in check_content(text, verdict).findings:
            assert finding.severity in (Severity.WARNING, Severity.INFO)
            assert not finding.blocks_sending
            assert set(finding.to_json()) == {"code", "severity", "message", "fix"}


def test_hostile_text_is_just_text() -> None:
    # Long, odd or markup-looking input must neither crash nor take long (catastrophic regex).
    for text in ("<b>sale</b>" * 200, "a" * 5000, "1" * 5000, "\u202e" + "code 1234", ""):
        check_content(text, sender(CARE))
