"""Every RingCentral code the issue names has a plain explanation, a fixer and a fix."""

from __future__ import annotations

import pytest

from rc_sms_desktop.core.eligibility import Fixer
from rc_sms_desktop.core.error_codes import (
    CATALOGUE,
    DELIVERY,
    RATE_LIMIT,
    UNKNOWN,
    describe_error_code,
    explain_error,
)

SEND_CODES = [
    "MSG-240", "MSG-241", "MSG-242", "MSG-243", "MSG-245", "MSG-246", "MSG-304", "MSG-305",
    "MSG-310", "MSG-314", "MSG-330", "MSG-331", "MSG-337", "MSG-338", "MSG-347", "MSG-348",
    "MSG-403", "CMN-101", "CMN-102", "CMN-109", "CMN-401", "CMN-402", "CMN-403", "CMN-408",
]  # fmt: skip
# createSMSMessage, createMMS; https://developers.ringcentral.com/guide/basics/errors, all of them.
DELIVERY_CODES = [
    *(f"SMS-RC-{n}" for n in (403, 410, 413, 430, 500, 501, 503, 504)),
    *(f"SMS-UP-{n}" for n in (410, 413, 414, 430, 431, 432, 433, 500)),
    *(
        f"SMS-CAR-{n}"
        for n in (104, 199, 400, 410, 411, 412, 413, 414, 430, 431, 432, 433, 434, 435,
                  450, 451, 452, 460, 461, 500)
    ),
]  # fmt: skip
RATE_AND_AUTH = ["CMN-301", "CMN-302", "CMN-303", "CMN-304", "CMN-310", "invalid_grant",
                 "invalid_client", "OAU-109"]  # fmt: skip


@pytest.mark.parametrize("code", SEND_CODES + DELIVERY_CODES + RATE_AND_AUTH)
def test_each_named_code_is_explained(code: str) -> None:
    explanation = explain_error(code, "RingCentral's own words")
    assert explanation.known
    assert explanation.code == code
    assert explanation.message and explanation.message != "RingCentral's own words"
    assert explanation.fix
    assert isinstance(explanation.who, Fixer)
    text = explanation.text()
    assert code in text
    assert "RingCentral's own words" in text  # the server's detail is never dropped
    assert str(explanation.who) in text


@pytest.mark.parametrize("code", DELIVERY_CODES)
def test_delivery_codes_are_delivery_kind(code: str) -> None:
    assert explain_error(code).kind == DELIVERY


def test_who_fixes_what() -> None:
    assert explain_error("MSG-242").who is Fixer.ACCOUNT_ADMIN
    assert explain_error("MSG-337").who is Fixer.YOU
    assert explain_error("SMS-RC-503").who is Fixer.RINGCENTRAL_SUPPORT
    assert explain_error("SMS-CAR-461").who is Fixer.ACCOUNT_ADMIN
    assert "START" in explain_error("SMS-RC-413").fix


def test_rate_limits_say_retry_later() -> None:
    for code in ("MSG-305", "CMN-301", "CMN-302", "CMN-310"):
        explanation = explain_error(code)
        assert explanation.kind == RATE_LIMIT
        assert explanation.retry_later
    assert not explain_error("CMN-303").retry_later  # needs support, waiting will not help


def test_unknown_code_is_shown_raw_with_ringcentrals_message() -> None:
    explanation = explain_error("MSG-999", "Something new went wrong")
    assert not explanation.known
    assert explanation.kind == UNKNOWN
    assert explanation.code == "MSG-999"
    assert explanation.message == "Something new went wrong"
    assert "MSG-999" in explanation.text()
    assert explanation.who is Fixer.RINGCENTRAL_SUPPORT


def test_unknown_code_without_message_and_missing_code() -> None:
    assert explain_error("XYZ-1").message == "RingCentral returned XYZ-1."
    missing = explain_error(None)
    assert missing.code == "no code"
    assert "no error code" in missing.message
    assert explain_error("", "  ").message == "RingCentral gave no error code."


def test_case_whitespace_and_legacy_aliases() -> None:
    assert explain_error(" sms-car-461 ").code == "SMS-CAR-461"
    assert explain_error("InvalidParameter").message == CATALOGUE["CMN-101"].message
    assert explain_error("FeatureNotAvailable").message == CATALOGUE["CMN-109"].message


def test_lookup_for_api_errors_returns_none_when_unknown() -> None:
    found = describe_error_code("MSG-304")
    assert found is not None
    assert "does not belong" in found.message
    assert describe_error_code("MSG-999") is None


def test_api_error_user_message_uses_the_catalogue() -> None:
    from rc_sms_desktop.api.errors import PermissionDeniedError

    error = PermissionDeniedError("Permission denied", status=403, error_code="MSG-242")
    assert error.user_message == CATALOGUE["MSG-242"].message


def test_json_shape() -> None:
    data = explain_error("MSG-403", "International SMS is not allowed").to_json()
    assert data["code"] == "MSG-403"
    assert data["who"] == "you"
    assert data["serverMessage"] == "International SMS is not allowed"
