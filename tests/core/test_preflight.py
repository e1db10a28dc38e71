"""Pre-flight: Send is disabled with the reason in words, before RingCentral sees anything."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from rc_sms_desktop.core.attachments import describe_attachment
from rc_sms_desktop.core.eligibility import ConfigState, Fixer, Severity, Verdict, evaluate
from rc_sms_desktop.core.models import ServiceFeature, parse_phone_number, parse_sms_configuration
from rc_sms_desktop.core.preflight import (
    ATTACHMENT_LIMITS,
    DAILY_LIMIT,
    EMPTY_TEXT,
    HIGH_VOLUME_ONLY,
    NO_RECIPIENTS,
    RECIPIENT_DOUBTFUL,
    RECIPIENT_INVALID,
    SENDER_CANNOT_SEND,
    SENDER_CHECKING,
    SENDER_UNCONFIRMED,
    TEXT_TOO_LONG,
    blocking_reason,
    preflight,
)
from rc_sms_desktop.core.recipients import parse_recipients

ALL_FEATURES = ["CallerId", "SmsSender", "MmsSender", "InternationalSmsSender"]


def number(
    phone: str = "+16505550100",
    features: list[str] | None = None,
    payment_type: str = "Local",
    **extra: Any,
) -> Any:
    return parse_phone_number(
        {
            "id": "1",
            "phoneNumber": phone,
            "paymentType": payment_type,
            "type": "VoiceFax",
            "usageType": "DirectNumber",
            "status": "Normal",
            "features": ALL_FEATURES if features is None else features,
            "country": {"id": "1", "isoCode": "US", "name": "United States"},
            "extension": {"id": "11", "extensionNumber": "101", "type": "User"},
            **extra,
        }
    )


def config(status: str = "Confirmed", tier: str = "Standard") -> Any:
    return parse_sms_configuration(
        {
            "phoneNumberId": "1",
            "phoneNumber": "+16505550100",
            "smsCampaignInfo": {
                "id": "c1",
                "status": status,
                "registrationTier": tier,
                "useCases": ["CustomerCare", "AccountNotification"],
            },
            "smsBrandInfo": {"id": "b1", "status": "Verified"},
        }
    )


def ready(**kwargs: Any) -> Verdict:
    return evaluate(number(**kwargs), config())


def codes(
    verdict: Verdict, to: str = "650 555 0123", text: str = "hi", files: Any = ()
) -> list[str]:
    recipients = parse_recipients(to, from_region="US")
    return [problem.code for problem in preflight(verdict, recipients, text, files)]


def test_ready_sender_plain_text_has_no_problems() -> None:
    assert codes(ready()) == []


def test_sender_without_sms_gives_its_main_reason() -> None:
    verdict = evaluate(number(features=["CallerId"]))
    problems = preflight(verdict, parse_recipients("650 555 0123", from_region="US"), "hi")
    first = blocking_reason(problems)
    assert first is not None
    assert first.code == "no-sms-feature"  # the eligibility code itself, not a wrapper
    main = verdict.main_reason
    assert main is not None
    assert main.message in first.message
    assert first.who is main.who


def test_unconfirmed_campaign_blocks_with_the_campaign_reason() -> None:
    verdict = evaluate(number(), config(status="Pending"))
    problems = preflight(verdict, parse_recipients("650 555 0123", from_region="US"), "hi")
    assert problems[0].code == "campaign-not-confirmed"
    assert problems[0].blocks_sending


def test_every_sms_blocker_is_listed_under_its_own_code_root_cause_first() -> None:
    verdict = evaluate(
        number(), config(status="Submitted"),
        user=(ServiceFeature("SMS", enabled=False, reason="Role does not include SMS"),),
    )
    problems = preflight(verdict, parse_recipients("650 555 0123", from_region="US"), "hi")
    assert [p.code for p in problems if p.blocks_sending] == ["sms-not-permitted", "campaign-not-confirmed"]
    assert "Role does not include SMS" in problems[0].message


def test_no_reason_at_all_falls_back_to_the_wrapper_code() -> None:
    verdict = dataclasses.replace(evaluate(number(features=["CallerId"])), reasons=())
    problems = preflight(verdict, parse_recipients("650 555 0123", from_region="US"), "hi")
    assert problems[0].code == SENDER_CANNOT_SEND


def test_attachments_from_toll_free_need_mms() -> None:
    verdict = evaluate(
        number("+18885550100", ["SmsSender"], payment_type="TollFree"),
    )
    result = codes(verdict, files=[describe_attachment("a.png", 100)])
    assert result == ["toll-free-no-mms"]
    problem = preflight(
        verdict,
        parse_recipients("650 555 0123", from_region="US"),
        "",
        [describe_attachment("a.png", 1)],
    )[0]
    assert "toll-free" in problem.message.lower()


def test_attachments_without_mms_sender_feature() -> None:
    verdict = ready(features=["SmsSender", "InternationalSmsSender"])
    assert codes(verdict) == []
    assert codes(verdict, files=[describe_attachment("a.png", 100)]) == ["no-mms-feature"]


def test_international_recipient_needs_international_sms_sender() -> None:
    verdict = ready(features=["SmsSender", "MmsSender"])
    assert codes(verdict, to="+44 20 7946 0958") == ["no-international-feature"]
    problem = preflight(verdict, parse_recipients("+44 20 7946 0958", from_region="US"), "hi")[0]
    assert "United Kingdom" in problem.message
    assert problem.who is Fixer.ACCOUNT_ADMIN
    assert codes(ready(), to="+44 20 7946 0958") == []  # with the feature, it goes


def test_international_from_toll_free_is_refused() -> None:
    verdict = evaluate(
        number("+18885550100", ["SmsSender", "InternationalSmsSender"], payment_type="TollFree")
    )
    problem = preflight(verdict, parse_recipients("+44 20 7946 0958", from_region="US"), "hi")[0]
    assert problem.code == "international-from-toll-free"
    assert "MSG-403" in problem.message


def test_unknown_number_abroad_is_international_by_its_calling_code() -> None:
    # +44 7700 900123 is in Ofcom's drama range: libphonenumber calls it invalid, yet it is British.
    verdict = ready(features=["SmsSender", "MmsSender"])
    problems = preflight(verdict, parse_recipients("+44 7700 900123", from_region="US"), "hi")
    assert [(p.code, p.severity) for p in problems] == [
        ("no-international-feature", Severity.ERROR),
        ("recipient-doubtful", Severity.WARNING),
    ]
    assert "United Kingdom" in problems[0].message


def test_high_volume_only_explains_the_high_volume_api() -> None:
    verdict = evaluate(number(features=["CallerId", "A2PSmsSender"]))
    problems = preflight(verdict, parse_recipients("650 555 0123", from_region="US"), "hi")
    assert problems[0].code == HIGH_VOLUME_ONLY
    assert "a2p-sms/batches" in problems[0].message
    assert problems[0].link is not None


def test_low_volume_shows_daily_limit_as_info_and_does_not_block() -> None:
    verdict = evaluate(number(), config(tier="LowVolume"))
    problems = preflight(verdict, parse_recipients("650 555 0123", from_region="US"), "hi")
    assert [p.code for p in problems] == [DAILY_LIMIT]
    assert problems[0].severity is Severity.INFO
    assert "6,000" in problems[0].message
    assert blocking_reason(problems) is None


def test_empty_text_and_no_recipients() -> None:
    assert codes(ready(), to="", text="  ") == [NO_RECIPIENTS, EMPTY_TEXT]
    # MMS text is optional: an attachment alone is a message.
    assert codes(ready(), text="", files=[describe_attachment("a.png", 5)]) == []


def test_invalid_and_doubtful_recipients() -> None:
    assert codes(ready(), to="650 555 0123, 101") == [RECIPIENT_INVALID]
    assert codes(ready(), to="+1 555 555 0123") == [RECIPIENT_DOUBTFUL]


def test_text_too_long_counts_emoji_double() -> None:
    assert codes(ready(), text="😀" * 500) == []
    result = preflight(ready(), parse_recipients("650 555 0123", from_region="US"), "😀" * 501)
    assert [p.code for p in result] == [TEXT_TOO_LONG]
    assert "by 2" in result[0].fix


def test_attachment_limits() -> None:
    files = [describe_attachment(f"{i}.png", 200_000) for i in range(11)]
    assert codes(ready(), files=files) == [ATTACHMENT_LIMITS, ATTACHMENT_LIMITS]
    assert codes(ready(), files=[describe_attachment("x.exe", 5)]) == [ATTACHMENT_LIMITS]


def test_unknown_sender_state_while_loading_blocks_but_failed_check_only_warns() -> None:
    loading = evaluate(number(), None, config_state=ConfigState.LOADING)
    assert codes(loading)[0] == SENDER_CHECKING
    failed = evaluate(number(), None, config_state=ConfigState.FAILED)
    problems = preflight(failed, parse_recipients("650 555 0123", from_region="US"), "hi")
    assert problems[0].code == SENDER_UNCONFIRMED
    assert blocking_reason(problems) is None


def test_blocking_problems_come_first() -> None:
    verdict = evaluate(number(), config(tier="LowVolume"))
    problems = preflight(verdict, parse_recipients("", from_region="US"), "hi")
    assert problems[0].code == NO_RECIPIENTS
    assert problems[-1].code == DAILY_LIMIT


@given(
    to=st.text(max_size=40),
    text=st.text(max_size=1200),
    features=st.lists(
        st.sampled_from(["SmsSender", "MmsSender", "InternationalSmsSender", "A2PSmsSender", "x"]),
        max_size=5,
    ),
    files=st.lists(
        st.tuples(st.text(min_size=1, max_size=12), st.integers(-1, 2_000_000)), max_size=12
    ),
)
def test_preflight_never_raises_and_always_says_why(
    to: str, text: str, features: list[str], files: list[tuple[str, int]]
) -> None:
    verdict = evaluate(number(features=features), config())
    attachments = [describe_attachment(name, max(size, 0)) for name, size in files]
    problems = preflight(verdict, parse_recipients(to, from_region="US"), text, attachments)
    for problem in problems:
        assert problem.message
    first = blocking_reason(problems)
    if first is not None:
        assert problems[0] is first  # the reason shown under Send is the first one listed
