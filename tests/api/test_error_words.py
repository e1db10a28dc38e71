"""`api.errors.explain`: the one mapping from a failure to plain words and who can fix it."""

from __future__ import annotations

from rc_sms_desktop.api.auth import TokenSessionEndedError
from rc_sms_desktop.api.errors import (
    BadRequestError,
    PermissionDeniedError,
    ServerError,
    SessionEndedError,
    explain,
)
from rc_sms_desktop.core.eligibility import Fixer
from rc_sms_desktop.core.error_codes import describe_error_code


def test_a_catalogued_code_gives_the_catalogue_words_and_who_can_fix_it() -> None:
    error = PermissionDeniedError("Permission denied", status=403, error_code="CMN-408", rc_message="In order to call this API endpoint, user needs to have [ReadCompanyInfo] permission")
    entry = describe_error_code("CMN-408")
    assert entry is not None
    explained = explain(error)
    assert explained.known and explained.code == "CMN-408"
    assert explained.message == entry.message == error.user_message  # no second catalogue
    assert explained.who == entry.who
    assert explained.server_message is not None and "ReadCompanyInfo" in explained.server_message


def test_an_unknown_refusal_is_shown_raw_but_an_unknown_outage_says_to_try_again() -> None:
    refusal = explain(BadRequestError("Request rejected", status=400, error_code="MSG-999", rc_message="A brand new problem"))
    assert refusal.message == "A brand new problem" and not refusal.known
    outage = explain(ServerError("RingCentral server error", status=500, error_code="CMN-203", rc_message="Internal Server Error"))
    assert "try again" in outage.message.lower() and outage.retry_later
    assert outage.who == Fixer.RINGCENTRAL_SUPPORT


def test_both_session_ended_errors_say_sign_in_again() -> None:
    for error in (
        SessionEndedError("RingCentral no longer accepts this sign-in", status=401),
        TokenSessionEndedError("Your RingCentral session has expired. Please sign in again."),
    ):
        explained = explain(error)
        assert "sign in again" in explained.message.lower()
        assert explained.fix == "Sign in again." and explained.who == Fixer.YOU


def test_any_other_failure_keeps_its_message() -> None:
    explained = explain(OSError("disk full"))
    assert explained.message == "disk full" and not explained.known
    assert explain(RuntimeError()).message  # never empty
