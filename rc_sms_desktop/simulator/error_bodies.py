"""Error responses shaped as RingCentral sends them (the spec's ErrorResponseModel; https://developers.ringcentral.com/guide/basics/errors;
OAuth errors as in https://developers.ringcentral.com/guide/authentication)."""

from __future__ import annotations

from typing import Any

from rc_sms_desktop.simulator.asgi import JSONResponse


def api_error(status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
              **extra: Any) -> JSONResponse:
    """`{"errors": [{"errorCode", "message", ...}]}` (ApiErrorResponseModel)."""
    error: dict[str, Any] = {"errorCode": code, "message": message, **extra}
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers)


def token_error(status: int, legacy_code: str, code: str, message: str) -> JSONResponse:
    """A 401 on an API call: legacy top-level code plus `errors[]`.

    The top-level `errorCode`/`message` pair is RingCentral's legacy shape, still seen next to
    `errors[]` (createSMSMessage, createMMS; https://developers.ringcentral.com/guide/basics/errors on MSG-246; "TokenInvalid" with OAU-213 as observed by integrators).
    """
    return JSONResponse(
        {"errorCode": legacy_code, "message": message,
         "errors": [{"errorCode": code, "message": message}]},
        status_code=status,
        headers={"WWW-Authenticate": 'Bearer realm="RingCentral", error="invalid_token"'},
    )


def oauth_error(status: int, error: str, code: str, message: str,
                headers: dict[str, str] | None = None) -> JSONResponse:
    """OAuth endpoint error: RFC 6749 `error`/`error_description` plus RingCentral `errors[]`."""
    return JSONResponse(
        {"error": error, "error_description": message,
         "errors": [{"errorCode": code, "message": message}]},
        status_code=status,
        headers=headers,
    )


def invalid_parameter(name: str, status: int = 400) -> JSONResponse:
    """CMN-101 "Parameter [name] value is invalid." (https://developers.ringcentral.com/guide/basics/errors)."""
    return api_error(status, "CMN-101", f"Parameter [{name}] value is invalid.",
                     parameterName=name)


def not_found(name: str) -> JSONResponse:
    """CMN-102 "Resource for parameter [name] is not found" (https://developers.ringcentral.com/guide/basics/errors)."""
    return api_error(404, "CMN-102", f"Resource for parameter [{name}] is not found",
                     parameterName=name)


def permission_required(permission: str) -> JSONResponse:
    """CMN-408: the user's role lacks the operation's x-user-permission (https://developers.ringcentral.com/guide/basics/errors)."""
    return api_error(403, "CMN-408", f"[{permission}] permission required",
                     permissionName=permission)
