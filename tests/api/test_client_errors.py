"""Typed errors: every RingCentral error shape is read, messages come from the error code, and
nothing secret can ride along."""

from __future__ import annotations

import pickle

import pytest

from rc_sms_desktop.api.errors import (
    ApiError,
    BadRequestError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    SessionEndedError,
    error_for_status,
    parse_error_body,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"errors":[{"errorCode":"CMN-408","message":"[ReadAccounts] permission required"}]}',
         ("CMN-408", "[ReadAccounts] permission required")),
        (b'{"errorCode":"InvalidParameter","message":"legacy"}', ("InvalidParameter", "legacy")),
        (b'{"error":"invalid_grant","error_description":"Token is revoked"}', ("invalid_grant", "Token is revoked")),
        (b'{"errors":[]}', (None, None)),
        (b'{"errors":[{"errorCode":5}]}', (None, None)),
        (b"<html>502</html>", (None, None)),
        (b"\xff\xfe", (None, None)),
        (b"[1,2]", (None, None)),
        (b"", (None, None)),
        (None, (None, None)),
    ],
)
def test_error_bodies_of_every_shape(body: bytes | None, expected: tuple[str | None, str | None]) -> None:
    assert parse_error_body(body) == expected


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, BadRequestError), (401, SessionEndedError), (403, PermissionDeniedError), (404, NotFoundError),
     (409, BadRequestError), (429, RateLimitedError), (500, ServerError), (503, ServerError)],
)
def test_each_status_has_its_type(status: int, kind: type[ApiError]) -> None:
    error = error_for_status(status, error_code="X-1", rc_message="m", method="GET", path="/p")
    assert type(error) is kind and error.status == status and error.error_code == "X-1"


def test_user_message_comes_from_the_code_and_falls_back_by_type() -> None:
    known = PermissionDeniedError("denied", status=403, error_code="CMN-408", rc_message="localised")
    unknown = PermissionDeniedError("denied", status=403, error_code="ZZZ-999")
    assert known.user_message and known.user_message != unknown.user_message
    assert "not allowed" in unknown.user_message
    assert "internet" in NetworkError("down").user_message


def test_a_long_rate_limit_is_said_in_minutes() -> None:
    assert "5 min" in RateLimitedError("slow", retry_after=300).user_message
    assert "min" not in RateLimitedError("slow", retry_after=10).user_message


def test_errors_survive_pickling_and_print_without_request_details() -> None:
    error = ServerError("boom", status=503, error_code="CMN-201", method="GET", path="/restapi/v1.0/x")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ServerError and copy.error_code == "CMN-201" and str(copy) == str(error)
    assert str(error) == "boom (HTTP 503, CMN-201, GET /restapi/v1.0/x)"
    assert "Authorization" not in repr(error)
    limited = pickle.loads(pickle.dumps(RateLimitedError("slow", group="light", retry_after=30)))
    assert limited.group == "light" and limited.retry_after == 30
