"""The ASGI layer in front of every endpoint: latency, authentication, rate limits and faults.

`/_simulator/*` passes straight through: never delayed, faulted or rate-limited.
"""

from __future__ import annotations

import asyncio
import hmac
import re

import httpx

from rc_sms_desktop.simulator.asgi import ASGIApp, Message, Receive, Scope, Send
from rc_sms_desktop.simulator.control import SimulatorControl
from rc_sms_desktop.simulator.error_bodies import api_error, token_error
from rc_sms_desktop.simulator.limits import RateDecision, seconds_header

_ACCOUNT = r"/restapi/v1\.0/account/[^/]+"
_EXTENSION = _ACCOUNT + r"/extension/[^/]+"

# (method, path pattern, x-throttling-group): the groups are the spec's (https://developers.ringcentral.com/guide/basics/rate-limits table).
OPERATIONS: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(pattern + r"/?\Z"), group)
    for method, pattern, group in (
        ("POST", r"/restapi/oauth/token", "Auth"),
        ("POST", r"/restapi/oauth/revoke", "Auth"),
        ("GET", r"/restapi/oauth/authorize", "Auth"),
        ("GET", r"/restapi/oauth/authorize/(approve|deny)", "Auth"),
        ("POST", r"/restapi/oauth/authorize/(approve|deny)", "Auth"),
        ("GET", _EXTENSION, "Light"),  # readExtension
        ("GET", _ACCOUNT + r"/extension", "Medium"),  # listExtensions
        ("GET", _EXTENSION + r"/phone-number", "Light"),  # listExtensionPhoneNumbers
        ("GET", _EXTENSION + r"/phone-number/[^/]+/sms-configuration", "Light"),
        ("GET", _ACCOUNT + r"/phone-number", "Heavy"),  # listAccountPhoneNumbers
        ("GET", _ACCOUNT + r"/phone-number/[^/]+", "Light"),  # readAccountPhoneNumber
        ("GET", _EXTENSION + r"/sms-recipients", "Light"),  # getSmsRecipients
        ("POST", _EXTENSION + r"/sms", "Medium"),  # createSMSMessage
        ("POST", _EXTENSION + r"/mms", "Medium"),  # createMMS
        ("GET", _EXTENSION + r"/message-store/[^/]+", "Light"),  # readMessage
        ("GET", _ACCOUNT + r"/sms-registration-brands(/[^/]+(/campaigns(/[^/]+)?)?)?",
         "Light"),  # listAllTcrBrands, findTcrBrandById, listAllTcrCampaigns, findTcrCampaignById
        ("POST", _ACCOUNT + r"/sms-registration-brands/[^/]+/campaigns/[^/]+"
         r"/submit-phone-numbers", "Light"),  # linkNumbers
        ("POST", _EXTENSION + r"/sms-recipients/bulk-assign", "Medium"),  # bulkAssignSmsRecipients
    )
)


class SimulatedConnectionReset(httpx.ReadError):
    """The `reset` fault: a connection dropped mid-response (a transport error to httpx)."""


def throttling_group(method: str, path: str) -> str | None:
    for op_method, pattern, group in OPERATIONS:
        if op_method == method and pattern.match(path):
            return group
    return None


class SimulatorGate:
    """Pure ASGI middleware; see the module docstring."""

    def __init__(self, app: ASGIApp, control: SimulatorControl) -> None:
        self.app = app
        self.control = control

    def _control_allowed(self, scope: Scope) -> bool:
        """The control endpoints change the account, tokens and faults: on a served simulator
        only the one who started it (who saw the run's token) may call them. Health is open."""
        expected = self.control.config.control_token
        if not expected or scope["path"] == "/_simulator/health":
            return True
        given = dict(scope["headers"]).get(b"x-simulator-token", b"")
        return hmac.compare_digest(given, expected.encode("utf-8"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/_simulator"):
            if not self._control_allowed(scope):
                await api_error(403, "SIM-403", "This control endpoint needs the run's "
                                "X-Simulator-Token (printed as RC_SIMULATOR_TOKEN)")(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        control = self.control
        control.settle_provisioning()
        if control.latency_ms > 0:
            await asyncio.sleep(control.latency_ms / 1000)
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        group = throttling_group(method, scope["path"])
        if group is None:
            await self.app(scope, receive, send)
            return
        stats = control.stats
        stats.requests[group] = stats.requests.get(group, 0) + 1
        key = "auth"  # the Auth group counts for the one demo user (https://developers.ringcentral.com/guide/basics/rate-limits: per user)
        if scope["path"].startswith("/restapi/v1.0/"):
            headers = dict(scope["headers"])
            authorization = headers.get(b"authorization", b"").decode("latin-1") or None
            check = control.oauth.check_bearer(authorization)
            if check.session is None:
                stats.unauthorized += 1
                await token_error(401, "TokenInvalid", check.code, check.message)(
                    scope, receive, send)
                return
            scope.setdefault("state", {})["session"] = check.session
            key = f"user:{check.session.owner_id}"
        decision: RateDecision | None = None
        if control.rate_limits_enabled:
            decision = control.limiter.check(key, group)
            if not decision.allowed:
                stats.throttled += 1
                if decision.during_penalty:
                    stats.requests_during_penalty += 1
                await api_error(429, "CMN-301", "Request rate exceeded",
                                headers=decision.headers())(scope, receive, send)
                return
        extra_headers = decision.headers() if decision is not None else {}
        fault = control.faults.draw()
        if fault is not None:
            stats.faults[fault] = stats.faults.get(fault, 0) + 1
        short_wait = seconds_header(control.config.rate_window_s / 60)
        if fault == "500":
            await api_error(500, "CMN-203", "Internal Server Error",
                            headers=extra_headers)(scope, receive, send)
            return
        if fault == "503":
            await api_error(503, "CMN-201", "Service Temporary Unavailable",
                            headers={**extra_headers, "Retry-After": short_wait})(
                scope, receive, send)
            return
        if fault == "429":
            # A 429 from another kind of limit: no X-Rate-Limit headers (https://developers.ringcentral.com/guide/basics/rate-limits).
            await api_error(429, "CMN-301", "Request rate exceeded",
                            headers={"Retry-After": short_wait})(scope, receive, send)
            return
        if fault == "slow":
            await asyncio.sleep(control.slow_fault_s)
        if fault in ("badjson", "reset"):
            await self._mangled(scope, receive, send, extra_headers, fault)
            return
        await self.app(scope, receive, _with_headers(send, extra_headers))

    async def _mangled(self, scope: Scope, receive: Receive, send: Send,
                       extra_headers: dict[str, str], fault: str) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        assert start is not None
        body = b"".join(chunks)
        cut = body[: max(1, len(body) // 2)]
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        headers += [(k.lower().encode(), v.encode()) for k, v in extra_headers.items()]
        if fault == "badjson":
            # A complete HTTP response whose JSON body stops half-way.
            headers.append((b"content-length", str(len(cut)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": cut})
            return
        # reset: announce the full length, send half, then drop the connection. Over HTTP the
        # server aborts the socket; in-process the transport raises the same httpx error a
        # client would get from a dropped connection.
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": cut, "more_body": True})
        raise SimulatedConnectionReset("simulated connection reset by peer")


def _with_headers(send: Send, extra: dict[str, str]) -> Send:
    if not extra:
        return send
    encoded = [(k.lower().encode(), v.encode()) for k, v in extra.items()]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *encoded]}
        await send(message)

    return wrapped
