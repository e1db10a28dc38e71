"""Typed errors for everything that can go wrong talking to RingCentral.

Every error carries the HTTP status (when there was a response), RingCentral's `errorCode` (the
stable key: its `message` is localised and may change) and the method and path of the request.
None of them ever holds a token, an `Authorization` header or a request body: they are safe to
log, to show and to put in a crash report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from rc_sms_desktop.core.eligibility import Fixer
from rc_sms_desktop.core.error_codes import ErrorExplanation, describe_error_code, explain_error

# Codes RingCentral documents for "you may not do this" (403): app scope, admin, user permission.
PERMISSION_CODES = frozenset({"CMN-401", "CMN-402", "CMN-403", "CMN-404", "CMN-408", "CMN-109"})

_FALLBACK_MESSAGES: dict[str, str] = {
    "RateLimitedError": "RingCentral asked us to slow down; we will try again shortly.",
    "NotFoundError": "RingCentral could not find this item.",
    "PermissionDeniedError": "Your RingCentral role or this app is not allowed to do this.",
    "SessionEndedError": "Your RingCentral session has ended. Please sign in again.",
    "ServerError": "RingCentral is having trouble right now. Please try again later.",
    "NetworkError": "Could not reach RingCentral. Check your internet connection.",
    "RequestTimeoutError": "RingCentral took too long to answer. Please try again.",
    "MalformedResponseError": "RingCentral sent an answer we could not read.",
    "BadRequestError": "RingCentral rejected the request.",
}


class ApiError(Exception):
    """A request to RingCentral failed. Subclasses say how; `user_message` says it in plain words."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        rc_message: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        # RingCentral's own (English, localisable) message: shown only as a detail.
        self.rc_message = rc_message
        self.method = method
        # Path only (no host, no query): a URL could carry a token if a server misbehaved.
        self.path = path

    @property
    def user_message(self) -> str:
        """One plain sentence for a person, from the error code when the catalogue knows it."""
        if self.error_code:
            known = describe_error_code(self.error_code)
            if known is not None:
                return known.message
        return _FALLBACK_MESSAGES.get(type(self).__name__, "RingCentral returned an error.")

    def __str__(self) -> str:
        parts = [self.message]
        details = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.error_code:
            details.append(self.error_code)
        if self.method and self.path:
            details.append(f"{self.method} {self.path}")
        if details:
            parts.append(f"({', '.join(details)})")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"error_code={self.error_code!r}, path={self.path!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep pickling (multiprocessing, logging handlers) working with keyword-only fields.
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[ApiError], state: dict[str, Any]) -> ApiError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class BadRequestError(ApiError):
    """RingCentral rejected the request as invalid (400, or another 4xx we do not retry)."""


class NotFoundError(ApiError):
    """The item does not exist or is not visible to this user (404)."""


class PermissionDeniedError(ApiError):
    """The user's role or the app's scopes do not allow this (403, e.g. CMN-408 or CMN-402)."""


class SessionEndedError(ApiError):
    """The sign-in is no longer valid (refresh failed, token revoked): the user must sign in again."""


class RateLimitedError(ApiError):
    """RingCentral throttled us (429) and we did not (or could not) wait it out.

    `group` is the rate-limit group as RingCentral names it; `retry_after` the seconds it asked
    us to wait; `resume_at` a wall-clock POSIX timestamp when the group may be used again.
    """

    def __init__(
        self,
        message: str,
        *,
        group: str | None = None,
        retry_after: float | None = None,
        resume_at: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.group = group
        self.retry_after = retry_after
        self.resume_at = resume_at

    @property
    def user_message(self) -> str:
        if self.retry_after is not None and self.retry_after >= 90:
            minutes = round(self.retry_after / 60)
            return f"RingCentral asked us to wait about {minutes} min before trying again."
        return super().user_message


class ServerError(ApiError):
    """RingCentral answered with a 5xx error, even after retrying."""


class ServerBusyError(ServerError):
    """A 5xx whose Retry-After asked for longer than the app waits: says what the server asked."""

    @property
    def user_message(self) -> str:
        return self.message


class NetworkError(ApiError):
    """No usable answer arrived: connection refused or dropped, DNS or TLS failure."""


class RequestTimeoutError(NetworkError):
    """RingCentral did not answer in time (a read timeout or the overall deadline of a call)."""


class MalformedResponseError(ApiError):
    """RingCentral's answer was not the JSON we expected (even after retrying a GET)."""


class ResponseTooLargeError(MalformedResponseError):
    """The answer was larger than the app reads from one response (refused, never buffered whole)."""

    @property
    def user_message(self) -> str:
        return self.message


class RedirectedError(ApiError):
    """The server answered with a redirect; the app never follows one (it could carry the token)."""

    @property
    def user_message(self) -> str:
        return self.message





def parse_error_body(body: bytes | str | None) -> tuple[str | None, str | None]:
    """(errorCode, message) from any RingCentral error body shape; (None, None) when absent.

    Shapes: `{"errors":[{"errorCode","message"}]}` (current), a top-level `errorCode`/`message`
    (legacy) and OAuth's `{"error","error_description"}`.
    """
    if not body:
        return None, None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(data, Mapping):
        return None, None
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        first = errors[0]
        return _str_or_none(first.get("errorCode")), _str_or_none(first.get("message"))
    code = _str_or_none(data.get("errorCode")) or _str_or_none(data.get("error"))
    message = _str_or_none(data.get("message")) or _str_or_none(data.get("error_description"))
    return code, message


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def error_for_status(
    status: int,
    *,
    error_code: str | None,
    rc_message: str | None,
    method: str | None,
    path: str | None,
) -> ApiError:
    """The typed error for a non-success status (429 is built by the client, which knows the group)."""
    kwargs: dict[str, Any] = {
        "status": status,
        "error_code": error_code,
        "rc_message": rc_message,
        "method": method,
        "path": path,
    }
    if status == 401:
        return SessionEndedError("RingCentral no longer accepts this sign-in", **kwargs)
    if status == 403:
        return PermissionDeniedError("Permission denied", **kwargs)
    if status == 404:
        return NotFoundError("Not found", **kwargs)
    if status == 429:
        return RateLimitedError("Rate limit exceeded", **kwargs)
    if status >= 500:
        return ServerError("RingCentral server error", **kwargs)
    return BadRequestError("Request rejected", **kwargs)


def explain(error: BaseException) -> ErrorExplanation:
    """Any failure in plain words, with who can fix it and what to do: the one mapping used by
    the window, the sign-in dialog, the account scan, sending and the command line.

    An API error with a catalogued RingCentral code gives that entry (core/error_codes.py); a
    refusal with an unknown code comes back raw, with RingCentral's text; other API errors give
    their `user_message`, RingCentral's text kept as a detail; anything else (a bug, an
    OSError) its message.
    """
    if isinstance(error, ApiError):
        retry = isinstance(error, NetworkError | ServerError | RateLimitedError)
        if error.error_code:
            found = explain_error(error.error_code, error.rc_message)
            # A catalogued code in the error's own words (a long 429 wait says how long). An
            # unknown code of a refusal comes back raw, with RingCentral's text, never hidden;
            # of an outage or an ended session, the class's words say more ("try again later").
            if found.known:
                return replace(found, message=error.user_message)
            if not retry and not isinstance(error, SessionEndedError):
                return found
        if isinstance(error, SessionEndedError):
            fix = "Sign in again."
        elif retry:
            fix = "Try again in a few minutes."
        else:
            fix = "Check the message and try again."
        return ErrorExplanation(
            code=error.error_code or (f"HTTP {error.status}" if error.status is not None else type(error).__name__),
            message=error.user_message,
            who=Fixer.RINGCENTRAL_SUPPORT if isinstance(error, ServerError) else Fixer.YOU,
            fix=fix,
            kind="auth" if isinstance(error, SessionEndedError) else "general",
            known=False,
            retry_later=retry,
            server_message=error.rc_message,
        )
    return ErrorExplanation(
        code=type(error).__name__,
        message=str(error) or "Something went wrong.",
        who=Fixer.YOU,
        fix="Try again; if it keeps happening, send the log file to the app's maintainers.",
        kind="general",
        known=False,
    )
