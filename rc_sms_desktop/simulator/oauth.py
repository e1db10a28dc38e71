"""OAuth 2.0 as RingCentral runs it: JWT bearer, authorization code with PKCE, refresh, revoke.

Sources: https://developers.ringcentral.com/guide/authentication (grants, TokenInfo, single-use refresh tokens, revoke ends the session) and
https://developers.ringcentral.com/guide/basics/errors (OAU codes). Token grant errors use HTTP 400 (`OauthInvalidRequest`, https://developers.ringcentral.com/guide/authentication);
client-authentication failures use 401 (RFC 6749 §5.2; OAU-146 is a 401 in the errors page).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from rc_sms_desktop.simulator.asgi import (
    HTMLResponse,
    JSONResponse,
    MultiDict,
    RedirectResponse,
    Request,
    Response,
)
from rc_sms_desktop.simulator.clock import SimulatorClock
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.simulator.error_bodies import api_error, oauth_error
from rc_sms_desktop.simulator.stats import SimulatorStats

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "ReadAccounts ReadMessages SMS"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(slots=True)
class Session:
    """One authorization session: every token issued from one sign-in (https://developers.ringcentral.com/guide/authentication)."""

    id: str
    owner_id: int
    client_id: str
    endpoint_id: str
    access_tokens: set[str] = field(default_factory=set, repr=False)  # secrets: never printed
    refresh_tokens: set[str] = field(default_factory=set, repr=False)


@dataclass(slots=True)
class _Token:
    session_id: str
    expires_at: float
    used: bool = False


@dataclass(slots=True)
class _AuthCode:
    client_id: str
    redirect_uri: str
    challenge: str | None
    method: str
    expires_at: float
    used: bool = False


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """Result of checking a bearer token: the session, or why it was refused."""

    session: Session | None
    code: str = ""
    message: str = ""


def is_loopback_redirect(uri: str) -> bool:
    """Loopback redirect URIs on any port are accepted (RFC 8252 §7.3)."""
    try:
        parts = urlsplit(uri)
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


class OAuthServer:
    """Issues, checks, refreshes and revokes tokens for the demo user."""

    def __init__(self, config: SimulatorConfig, clock: SimulatorClock, stats: SimulatorStats,
                 owner_id: int) -> None:
        self.config = config
        self._clock = clock
        self._stats = stats
        self.owner_id = owner_id
        self.sessions: dict[str, Session] = {}
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        self._codes: dict[str, _AuthCode] = {}
        self._counter = 0

    # --- control-handle operations ---------------------------------------------------------

    def expire_access_tokens(self) -> None:
        now = self._clock.monotonic()
        for token in self._access.values():
            token.expires_at = min(token.expires_at, now - 1)

    def expire_refresh_tokens(self) -> None:
        now = self._clock.monotonic()
        for token in self._refresh.values():
            token.expires_at = min(token.expires_at, now - 1)

    def revoke_all(self) -> None:
        for session_id in list(self.sessions):
            self._end_session(session_id)

    def _end_session(self, session_id: str) -> None:
        session = self.sessions.pop(session_id, None)
        if session is None:
            return
        for value in session.access_tokens:
            self._access.pop(value, None)
        for value in session.refresh_tokens:
            self._refresh.pop(value, None)
        self._stats.revocations += 1

    # --- bearer check ------------------------------------------------------------------------

    def check_bearer(self, authorization: str | None) -> TokenCheck:
        if not authorization:
            return TokenCheck(None, "OAU-134", "Invalid Authorization header.")
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return TokenCheck(None, "OAU-151", "Authorization method not supported")
        token = self._access.get(value.strip())
        if token is None or token.session_id not in self.sessions:
            # Unknown, revoked, or superseded by a refresh (https://developers.ringcentral.com/guide/authentication).
            return TokenCheck(None, "OAU-213", "Token not found")
        if self._clock.monotonic() >= token.expires_at:
            return TokenCheck(None, "OAU-128", "Access token expired.")
        return TokenCheck(self.sessions[token.session_id])

    # --- issuing ------------------------------------------------------------------------------

    def _new_token(self, kind: str) -> str:
        return f"{self.config.token_prefix}{kind}{secrets.token_urlsafe(32)}"

    def _issue(self, session: Session, requested_ttl: str | None) -> dict[str, object]:
        now = self._clock.monotonic()
        ttl = self.config.access_token_ttl_s
        # access_token_ttl: 600..3600; values above the default fall back to it (https://developers.ringcentral.com/guide/authentication).
        if requested_ttl and requested_ttl.isdigit() and 600 <= int(requested_ttl) < ttl:
            ttl = int(requested_ttl)
        access = self._new_token("A")
        session.access_tokens.add(access)
        self._access[access] = _Token(session.id, now + ttl)
        body: dict[str, object] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": ttl,
            "scope": self.config.app_scope,
            "owner_id": str(session.owner_id),
            "endpoint_id": session.endpoint_id,
            "session_id": session.id,
        }
        if self.config.issue_refresh_tokens:
            refresh = self._new_token("R")
            session.refresh_tokens.add(refresh)
            self._refresh[refresh] = _Token(session.id, now + self.config.refresh_token_ttl_s)
            body["refresh_token"] = refresh
            body["refresh_token_expires_in"] = self.config.refresh_token_ttl_s
        self._stats.tokens_issued += 1
        return body

    def _new_session(self, client_id: str) -> Session:
        self._counter += 1
        session = Session(id=str(4_710_000_000 + self._counter), owner_id=self.owner_id,
                          client_id=client_id, endpoint_id=f"rcsim-endpoint-{self._counter}")
        self.sessions[session.id] = session
        return session

    # --- endpoints ----------------------------------------------------------------------------

    async def _read_form(self, request: Request) -> MultiDict | Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return api_error(415, "CMN-104", "Cannot parse request: send the form as "
                             "application/x-www-form-urlencoded")
        form = await request.form()
        keys = [key for key, _ in form.multi_items()]
        duplicated = sorted({key for key in keys if keys.count(key) > 1})
        if duplicated:
            return oauth_error(400, "invalid_request", "OAU-111",
                               "Request parameter duplication detected")
        return form

    def _client(self, request: Request, form: MultiDict) -> tuple[str, bool] | Response:
        """The authenticated client id and whether it proved the secret (confidential)."""
        header = request.headers.get("authorization")
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "basic":
                return oauth_error(401, "invalid_client", "OAU-123",
                                   "Invalid Authorization header value")
            try:
                client_id, sep, secret = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                sep, client_id, secret = "", "", ""
            if not sep:
                return oauth_error(401, "invalid_client", "OAU-123",
                                   "Invalid Authorization header value")
            if client_id != self.config.client_id or not secrets.compare_digest(
                secret, self.config.client_secret
            ):
                return oauth_error(401, "invalid_client", "OAU-146", "Invalid client credentials")
            return client_id, True
        client_id = str(form.get("client_id") or "")
        if client_id != self.config.client_id:
            return oauth_error(401, "invalid_client", "OAU-146", "Invalid client credentials")
        return client_id, False

    async def _client_form(self, request: Request) -> tuple[MultiDict, str, bool] | Response:
        """A token or revoke request's form, its client id and whether the client proved its
        secret; or the error answer (a form that cannot be read, a client that is not known)."""
        form = await self._read_form(request)
        if isinstance(form, Response):
            return form
        client = self._client(request, form)
        if isinstance(client, Response):
            return client
        return form, *client

    async def token(self, request: Request) -> Response:
        read = await self._client_form(request)
        if isinstance(read, Response):
            return read
        form, client_id, confidential = read
        grant = str(form.get("grant_type") or "")
        ttl = form.get("access_token_ttl")
        ttl_text = ttl if isinstance(ttl, str) else None
        if grant == JWT_GRANT:
            if not confidential:
                # The JWT flow authenticates the app with its secret (https://developers.ringcentral.com/guide/authentication/jwt-flow).
                return oauth_error(400, "unauthorized_client", "OAU-112",
                                   f"The client is unauthorized for the required grant type: [{grant}]")
            assertion = str(form.get("assertion") or "")
            if not secrets.compare_digest(assertion, self.config.jwt):
                return oauth_error(400, "invalid_grant", "OAU-140",
                                   "Invalid resource owner credentials.")
            return JSONResponse(self._issue(self._new_session(client_id), ttl_text))
        if grant == "authorization_code":
            return self._exchange_code(form, client_id, ttl_text)
        if grant == "refresh_token":
            return self._refresh_grant(form, client_id, ttl_text)
        return oauth_error(400, "unsupported_grant_type", "OAU-112",
                           f"The client is unauthorized for the required grant type: [{grant}]")

    def _exchange_code(self, form: MultiDict, client_id: str, ttl: str | None) -> Response:
        code_value = str(form.get("code") or "")
        code = self._codes.get(code_value)
        if code is None or code.used:
            return oauth_error(400, "invalid_grant", "OAU-106", "Invalid authorization code")
        code.used = True  # single use, even when the exchange fails below
        if self._clock.monotonic() >= code.expires_at:
            return oauth_error(400, "invalid_grant", "OAU-108", "Authorization code is expired")
        if code.client_id != client_id:
            return oauth_error(400, "invalid_grant", "OAU-110",
                               "Authorization code was not issued for this application")
        if str(form.get("redirect_uri") or "") != code.redirect_uri:
            return oauth_error(400, "invalid_grant", "OAU-109", "Redirect URIs do not match")
        if code.challenge is not None:
            verifier = str(form.get("code_verifier") or "")
            if code.method == "S256":
                digest = hashlib.sha256(verifier.encode()).digest()
                computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            else:
                computed = verifier
            if not verifier or not secrets.compare_digest(computed, code.challenge):
                # RingCentral documents no code for a PKCE mismatch; OAU-106 is the nearest.
                return oauth_error(400, "invalid_grant", "OAU-106",
                                   "Invalid authorization code: code_verifier does not match")
        return JSONResponse(self._issue(self._new_session(client_id), ttl))

    def _refresh_grant(self, form: MultiDict, client_id: str, ttl: str | None) -> Response:
        value = str(form.get("refresh_token") or "")
        token = self._refresh.get(value)
        session = self.sessions.get(token.session_id) if token is not None else None
        if token is None or session is None or token.used:
            return oauth_error(400, "invalid_grant", "OAU-213", "Token not found")
        if self._clock.monotonic() >= token.expires_at:
            return oauth_error(400, "invalid_grant", "OAU-213", "Token is expired")
        if session.client_id != client_id:
            return oauth_error(400, "invalid_grant", "OAU-110",
                               "Token was not issued for this application")
        # Refresh tokens are single-use and the previous access token dies at once (https://developers.ringcentral.com/guide/authentication).
        # Strict: the documented ~10 s grace for the old refresh token is not simulated.
        token.used = True
        self._refresh.pop(value, None)
        session.refresh_tokens.discard(value)
        for old in session.access_tokens:
            self._access.pop(old, None)
        session.access_tokens.clear()
        self._stats.refreshes += 1
        return JSONResponse(self._issue(session, ttl))

    async def revoke(self, request: Request) -> Response:
        read = await self._client_form(request)
        if isinstance(read, Response):
            return read
        form, _client_id, _confidential = read
        value = str(form.get("token") or request.query_params.get("token") or "")
        token = self._access.get(value) or self._refresh.get(value)
        if token is not None:
            # Revoking any token ends the whole session (https://developers.ringcentral.com/guide/authentication/tokens).
            self._end_session(token.session_id)
        return Response(status_code=200)

    # --- authorize (demo consent page) ----------------------------------------------------------

    def _validate_authorize(self, params: MultiDict) -> Response | None:
        keys = [key for key, _ in params.multi_items()]
        if len(keys) != len(set(keys)):
            return oauth_error(400, "invalid_request", "OAU-111",
                               "Request parameter duplication detected")
        if params.get("client_id") != self.config.client_id:
            return oauth_error(400, "invalid_client", "OAU-120", "Wrong Application ID")
        if params.get("response_type") != "code":
            return oauth_error(400, "unsupported_response_type", "OAU-112",
                               "Only response_type=code is supported")
        if not is_loopback_redirect(params.get("redirect_uri") or ""):
            return oauth_error(400, "invalid_request", "OAU-109", "Redirect URIs do not match")
        method = params.get("code_challenge_method") or "plain"  # RC assumes plain (https://developers.ringcentral.com/guide/authentication)
        if method not in ("plain", "S256"):
            return oauth_error(400, "invalid_request", "OAU-101",
                               "Parameter [code_challenge_method] is invalid")
        return None

    async def authorize(self, request: Request) -> Response:
        """The consent page; `prompt=none` approves at once (the demo user is always signed in)."""
        params = request.query_params
        problem = self._validate_authorize(params)
        if problem is not None:
            return problem
        if params.get("prompt") == "none":
            return self._approve(params)
        query = html.escape(urlencode(list(params.multi_items())), quote=True)
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>RingCentral simulator sign-in"
            "</title></head><body><h1>Allow access to the demo account?</h1>"
            "<p>The RingCentral simulator signs you in as the demo user Alex Rivera.</p>"
            f"<form method='post' action='/restapi/oauth/authorize/approve?{query}'>"
            "<button type='submit'>Allow</button></form>"
            f"<p><a id='allow' href='/restapi/oauth/authorize/approve?{query}'>Allow</a> · "
            f"<a id='deny' href='/restapi/oauth/authorize/deny?{query}'>Deny</a></p>"
            "</body></html>"
        )
        return HTMLResponse(page, headers={"Referrer-Policy": "no-referrer",
                                           "Cache-Control": "no-store"})

    async def approve(self, request: Request) -> Response:
        problem = self._validate_authorize(request.query_params)
        return problem if problem is not None else self._approve(request.query_params)

    async def deny(self, request: Request) -> Response:
        params = request.query_params
        problem = self._validate_authorize(params)
        if problem is not None:
            return problem
        return self._redirect(params, {"error": "access_denied",
                                       "error_description": "The user denied access"})

    def _approve(self, params: MultiDict) -> Response:
        code = secrets.token_urlsafe(24)
        self._codes[code] = _AuthCode(
            client_id=params.get("client_id") or "",
            redirect_uri=params.get("redirect_uri") or "",
            challenge=params.get("code_challenge") or None,
            method=params.get("code_challenge_method") or "plain",
            expires_at=self._clock.monotonic() + self.config.auth_code_ttl_s,
        )
        return self._redirect(params, {"code": code,
                                       "expires_in": str(int(self.config.auth_code_ttl_s))})

    def _redirect(self, params: MultiDict, values: dict[str, str]) -> Response:
        target = params.get("redirect_uri") or ""
        if params.get("state") is not None:
            values["state"] = params.get("state") or ""
        separator = "&" if "?" in target else "?"
        return RedirectResponse(f"{target}{separator}{urlencode(values)}", status_code=302,
                                headers={"Cache-Control": "no-store"})
