"""OAuth: JWT grant, PKCE authorization code, refresh, revoke, and bearer checks (https://developers.ringcentral.com/guide/authentication)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sim_support import JWT_GRANT, Sim, jwt_sign_in

from rc_sms_desktop.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT

ME = "/restapi/v1.0/account/~/extension/~"
REDIRECT = "http://127.0.0.1:53682/callback"
MakeSim = Callable[..., Awaitable[Sim]]


def challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorize_params(verifier: str = "v" * 50, redirect: str = REDIRECT, **extra: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": DEMO_CLIENT_ID, "redirect_uri": redirect,
            "state": "xyz-state", "code_challenge": challenge(verifier),
            "code_challenge_method": "S256", **extra}


async def get_code(client: httpx.AsyncClient, **params: str) -> dict[str, list[str]]:
    """Walk the consent page like a browser: load it, follow its Allow link, read the redirect."""
    page = await client.get("/restapi/oauth/authorize", params=authorize_params(**params))
    assert page.status_code == 200
    allow = re.search(r"id='allow' href='([^']+)'", page.text)
    assert allow is not None
    approved = await client.get(allow.group(1).replace("&amp;", "&"))
    assert approved.status_code == 302
    location = urlsplit(approved.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == params.get("redirect", REDIRECT)
    return parse_qs(location.query)


async def exchange(client: httpx.AsyncClient, code: str, verifier: str = "v" * 50,
                   redirect: str = REDIRECT) -> httpx.Response:
    return await client.post("/restapi/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
        "code_verifier": verifier, "client_id": DEMO_CLIENT_ID})


async def test_jwt_grant_returns_token_info_that_opens_the_api(make_sim: MakeSim) -> None:
    client, control = await make_sim(signed_in=False, rate_limits="off", token_prefix="SIMTOK_")
    token = await jwt_sign_in(client)
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 3600
    assert token["refresh_token_expires_in"] == 604800
    assert token["access_token"].startswith("SIMTOK_")
    assert token["refresh_token"].startswith("SIMTOK_")
    assert token["owner_id"] == str(control.account.signed_in_id)
    assert {"scope", "session_id", "endpoint_id"} <= token.keys()
    me = await client.get(ME, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200
    assert me.json()["name"] == "Alex Rivera"
    assert control.stats_json()["tokensIssued"] == 1


@pytest.mark.parametrize(
    ("auth", "data", "status", "error", "code"),
    [
        ((DEMO_CLIENT_ID, "wrong"), {"assertion": DEMO_JWT}, 401, "invalid_client", "OAU-146"),
        ((DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), {"assertion": "not-the-jwt"}, 400,
         "invalid_grant", "OAU-140"),
        (None, {"assertion": DEMO_JWT, "client_id": DEMO_CLIENT_ID}, 400,
         "unauthorized_client", "OAU-112"),
        (None, {"assertion": DEMO_JWT, "client_id": "someone-else"}, 401, "invalid_client",
         "OAU-146"),
    ],
)
async def test_jwt_grant_refusals_have_ringcentral_error_bodies(
    make_sim: MakeSim, auth: tuple[str, str] | None, data: dict[str, str], status: int,
    error: str, code: str,
) -> None:
    client, _ = await make_sim(signed_in=False, rate_limits="off")
    response = await client.post("/restapi/oauth/token", data={"grant_type": JWT_GRANT, **data},
                                 auth=auth)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert body["errors"][0]["errorCode"] == code
    assert body["error_description"]


async def test_duplicate_form_parameters_are_refused(make_sim: MakeSim) -> None:
    client, _ = await make_sim(signed_in=False, rate_limits="off")
    response = await client.post(
        "/restapi/oauth/token", content=f"grant_type={JWT_GRANT}&assertion=a&assertion=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorCode"] == "OAU-111"


async def test_api_needs_a_bearer_token(make_sim: MakeSim) -> None:
    client, control = await make_sim(signed_in=False, rate_limits="off")
    missing = await client.get(ME)
    assert missing.status_code == 401
    assert missing.json()["errors"][0]["errorCode"] == "OAU-134"
    bogus = await client.get(ME, headers={"Authorization": "Bearer nope"})
    assert bogus.status_code == 401
    assert bogus.json()["errors"][0]["errorCode"] == "OAU-213"
    assert bogus.json()["errorCode"] == "TokenInvalid"
    assert control.stats_json()["unauthorized"] == 2


async def test_expired_access_token_gets_401_until_refreshed(make_sim: MakeSim) -> None:
    client, control = await make_sim(signed_in=False, rate_limits="off", access_token_ttl_s=5)
    token = await jwt_sign_in(client)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert token["expires_in"] == 5
    assert (await client.get(ME, headers=headers)).status_code == 200
    control.advance(6)
    expired = await client.get(ME, headers=headers)
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["errorCode"] == "OAU-128"
    refreshed = await client.post("/restapi/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))
    assert refreshed.status_code == 200
    new_headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert (await client.get(ME, headers=new_headers)).status_code == 200
    assert control.stats_json()["refreshes"] == 1


async def test_refresh_is_single_use_and_kills_the_previous_access_token(make_sim: MakeSim) -> None:
    client, _ = await make_sim(signed_in=False, rate_limits="off")
    token = await jwt_sign_in(client)
    form = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    first = await client.post("/restapi/oauth/token", data=form,
                              auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))
    assert first.status_code == 200
    assert first.json()["session_id"] == token["session_id"]
    old = await client.get(ME, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert old.status_code == 401
    again = await client.post("/restapi/oauth/token", data=form,
                              auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_revoke_ends_the_whole_session(make_sim: MakeSim) -> None:
    client, control = await make_sim(signed_in=False, rate_limits="off")
    token = await jwt_sign_in(client)
    other = await jwt_sign_in(client)
    revoke = await client.post("/restapi/oauth/revoke", data={"token": token["refresh_token"]},
                               auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))
    assert revoke.status_code == 200
    gone = await client.get(ME, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert gone.status_code == 401
    refresh = await client.post("/restapi/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))
    assert refresh.status_code == 400
    # Another session is untouched.
    alive = await client.get(ME, headers={"Authorization": f"Bearer {other['access_token']}"})
    assert alive.status_code == 200
    assert control.stats_json()["revocations"] == 1


async def test_control_handle_revokes_and_expires(sim: Sim) -> None:
    client, control = sim
    assert (await client.get(ME)).status_code == 200
    control.expire_access_tokens()
    assert (await client.get(ME)).json()["errors"][0]["errorCode"] == "OAU-128"
    control.revoke_all_sessions()
    assert (await client.get(ME)).json()["errors"][0]["errorCode"] == "OAU-213"


async def test_pkce_flow_through_the_consent_page(make_sim: MakeSim) -> None:
    client, _ = await make_sim(signed_in=False, rate_limits="off")
    query = await get_code(client)
    assert query["state"] == ["xyz-state"]
    token = await exchange(client, query["code"][0])
    assert token.status_code == 200, token.text
    me = await client.get(ME, headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.status_code == 200
    # A public client refreshes with client_id in the body, no secret.
    refreshed = await client.post("/restapi/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": token.json()["refresh_token"],
        "client_id": DEMO_CLIENT_ID})
    assert refreshed.status_code == 200


async def test_prompt_none_approves_at_once(make_sim: MakeSim) -> None:
    client, _ = await make_sim(signed_in=False, rate_limits="off")
    response = await client.get("/restapi/oauth/authorize",
                                params=authorize_params(prompt="none"))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert (await exchange(client, query["code"][0])).status_code == 200


async def test_wrong_verifier_and_reused_code_are_refused(make_sim: MakeSim) -> None:
    client, _ = await make_sim(signed_in=False, rate_limits="off")
    code = (await get_code(client))["code"][0]
    wrong = await exchange(client, code, verifier="w" * 50)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    code = (await get_code(client))["code"][0]
    assert (await exchange(client, code)).status_code == 200
    reused = await exchange(client, code)
    assert reused.status_code == 400
    assert reused.json()["errors"][0]["errorCode"] == "OAU-106"


async def test_expired_code_and_redirect_mismatch(make_sim: MakeSim) -> None:
    client, control = await make_sim(signed_in=False, rate_limits="off")
    code = (await get_code(client))["code"][0]
    control.advance(61)
    expired = await exchange(client, code)
    assert expired.json()["errors"][0]["errorCode"] == "OAU-108"
    code = (await get_code(client))["code"][0]
    mismatch = await exchange(client, code, redirect="http://127.0.0.1:9999/other")
    assert mismatch.json()["errors"][0]["errorCode"] == "OAU-109"


@pytest.mark.parametrize("redirect", ["http://localhost:8123/cb", "http://[::1]:4000/cb",
                                      "http://127.0.0.1:1/"])
async def test_loopback_redirects_on_any_port_are_accepted(make_sim: MakeSim, redirect: str) -> None:
    client, _ = await make_sim(signed_in=False, rate_limits="off")
    query = await get_code(client, redirect=redirect)
    assert (await exchange(client, query["code"][0], redirect=redirect)).status_code == 200


@pytest.mark.parametrize("redirect", ["https://evil.example/cb", "http://192.168.1.5:80/cb",
                                      "http://127.0.0.1.evil.example/cb", "not a url"])
async def test_other_redirects_are_refused(make_sim: MakeSim, redirect: str) -> None:
    client, _ = await make_sim(signed_in=False, rate_limits="off")
    response = await client.get("/restapi/oauth/authorize",
                                params=authorize_params(redirect=redirect))
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorCode"] == "OAU-109"


async def test_deny_redirects_with_access_denied(make_sim: MakeSim) -> None:
    client, _ = await make_sim(signed_in=False, rate_limits="off")
    response = await client.get("/restapi/oauth/authorize/deny", params=authorize_params())
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query == {"error": ["access_denied"], "error_description": ["The user denied access"],
                     "state": ["xyz-state"]}


async def test_secrets_stay_out_of_reprs_and_stats(make_sim: MakeSim) -> None:
    client, control = await make_sim(signed_in=False, rate_limits="off",
                                     client_secret="SECRET-sentinel", jwt="JWT-sentinel")
    token = (await client.post("/restapi/oauth/token", data={
        "grant_type": JWT_GRANT, "assertion": "JWT-sentinel"},
        auth=(DEMO_CLIENT_ID, "SECRET-sentinel"))).json()
    texts = [repr(control.config), repr(control.oauth.sessions), repr(control.stats_json()),
             (await client.get("/_simulator/stats")).text]
    for secret in ("SECRET-sentinel", "JWT-sentinel", token["access_token"],
                   token["refresh_token"]):
        assert not any(secret in text for text in texts)
