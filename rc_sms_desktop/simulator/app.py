"""`create_app(config)`: the simulator as one ASGI application (in-process or served).

Start-up (issue #20): the demo's first load signs in and reads the extension, its numbers and
their SMS configurations. The endpoints of everything else (sending, 10DLC registrations, SMS
recipients) live in modules imported on their first request, through `_lazy`.
"""

from __future__ import annotations

import functools
import importlib

from rc_sms_desktop.simulator import directory
from rc_sms_desktop.simulator.asgi import App, Endpoint, JSONResponse, Request, Response, Route
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.simulator.control import SimulatorControl
from rc_sms_desktop.simulator.gate import SimulatorGate

_ACCOUNT = "/restapi/v1.0/account/{accountId}"
_EXTENSION = _ACCOUNT + "/extension/{extensionId}"
_BRANDS = _ACCOUNT + "/sms-registration-brands"
_CAMPAIGN = _BRANDS + "/{tcrBrandId}/campaigns/{tcrCampaignId}"


def _control(request: Request) -> SimulatorControl:
    control: SimulatorControl = request.app.state.simulator
    return control


async def _stats(request: Request) -> Response:
    return JSONResponse(_control(request).stats_json())


async def _reset_stats(request: Request) -> Response:
    _control(request).reset_stats()
    return JSONResponse(_control(request).stats_json())


async def _expire_tokens(request: Request) -> Response:
    _control(request).expire_access_tokens()
    return Response(status_code=204)


async def _revoke_sessions(request: Request) -> Response:
    _control(request).revoke_all_sessions()
    return Response(status_code=204)


async def _admin(request: Request) -> Response:
    value = request.query_params.get("value", "true").lower()
    if value not in ("true", "false"):
        return JSONResponse({"message": "value must be true or false"}, status_code=400)
    _control(request).set_admin(value == "true")
    return Response(status_code=204)


async def _fault(request: Request) -> Response:
    kind = request.query_params.get("kind", "")
    count_text = request.query_params.get("count", "1")
    try:
        _control(request).inject_fault(kind, int(count_text))
    except ValueError as error:
        return JSONResponse({"message": str(error)}, status_code=400)
    return Response(status_code=204)


async def _advance(request: Request) -> Response:
    try:
        _control(request).advance(float(request.query_params.get("seconds", "0")))
    except ValueError as error:
        return JSONResponse({"message": str(error)}, status_code=400)
    return Response(status_code=204)


async def _reset_demo(request: Request) -> Response:
    _control(request).reset_demo()
    return Response(status_code=204)


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _lazy(module: str, name: str) -> Endpoint:
    """`rc_sms_desktop.simulator.<module>.<name>`, imported when its route is first requested."""
    loaded: Endpoint | None = None

    async def endpoint(request: Request) -> Response:
        nonlocal loaded
        if loaded is None:
            loaded = getattr(importlib.import_module(f"rc_sms_desktop.simulator.{module}"), name)
        return await loaded(request)

    return endpoint


def create_app(config: SimulatorConfig | None = None) -> App:
    """A fresh simulator; `app.state.simulator` is its `SimulatorControl` handle."""
    control = SimulatorControl(config or SimulatorConfig())
    oauth = control.oauth
    routes = [
        Route("/restapi/oauth/token", oauth.token, methods=["POST"]),
        Route("/restapi/oauth/revoke", oauth.revoke, methods=["POST"]),
        Route("/restapi/oauth/authorize", oauth.authorize, methods=["GET"]),
        Route("/restapi/oauth/authorize/approve", oauth.approve, methods=["GET", "POST"]),
        Route("/restapi/oauth/authorize/deny", oauth.deny, methods=["GET", "POST"]),
        Route(_ACCOUNT + "/extension", directory.list_extensions, methods=["GET"]),
        Route(_EXTENSION, directory.read_extension, methods=["GET"]),
        Route(_EXTENSION + "/phone-number", directory.list_extension_numbers, methods=["GET"]),
        Route(_EXTENSION + "/phone-number/{phoneNumberId}/sms-configuration",
              directory.sms_configuration, methods=["GET"]),
        Route(_EXTENSION + "/sms-recipients", directory.sms_recipients, methods=["GET"]),
        Route(_ACCOUNT + "/phone-number", directory.list_account_numbers, methods=["GET"]),
        Route(_ACCOUNT + "/phone-number/{phoneNumberId}", directory.read_account_number,
              methods=["GET"]),
        Route(_EXTENSION + "/sms", _lazy("messaging", "send_sms"), methods=["POST"]),
        Route(_EXTENSION + "/mms", _lazy("messaging", "send_mms"), methods=["POST"]),
        Route(_EXTENSION + "/message-store/{messageId}", _lazy("messaging", "read_message"),
              methods=["GET"]),
        Route(_BRANDS, _lazy("registrations", "list_brands"), methods=["GET"]),
        Route(_BRANDS + "/{tcrBrandId}", _lazy("registrations", "read_brand"), methods=["GET"]),
        Route(_BRANDS + "/{tcrBrandId}/campaigns", _lazy("registrations", "list_campaigns"),
              methods=["GET"]),
        Route(_CAMPAIGN, _lazy("registrations", "read_campaign"), methods=["GET"]),
        Route(_CAMPAIGN + "/submit-phone-numbers", _lazy("registrations", "link_numbers"),
              methods=["POST"]),
        Route(_EXTENSION + "/sms-recipients/bulk-assign", _lazy("recipient_assign", "bulk_assign"),
              methods=["POST"]),
        Route("/_simulator/stats", _stats, methods=["GET"]),
        Route("/_simulator/stats/reset", _reset_stats, methods=["POST"]),
        Route("/_simulator/expire-tokens", _expire_tokens, methods=["POST"]),
        Route("/_simulator/revoke-sessions", _revoke_sessions, methods=["POST"]),
        Route("/_simulator/admin", _admin, methods=["POST"]),
        Route("/_simulator/fault", _fault, methods=["POST"]),
        Route("/_simulator/advance", _advance, methods=["POST"]),
        Route("/_simulator/health", _health, methods=["GET"]),
        Route("/_simulator/reset-demo", _reset_demo, methods=["POST"]),
    ]
    app = App(routes, middleware=[functools.partial(SimulatorGate, control=control)])
    app.state.simulator = control
    return app
