"""Every body the simulator sends, validated against RingCentral's official OpenAPI schemas.

The spec is read from outside the repo (the `openapi_spec` fixture skips when it is absent). Enums
are strict, with one documented exception: `smsBrandInfo.status` takes brand statuses such as
`Verified` (the guide's sample) although the spec types it as a campaign status (smsConfigurationInfo).
The scenario runs over real HTTP on loopback.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema
import pytest

from rc_sms_desktop.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT
from rc_sms_desktop.simulator.control import SimulatorControl

LiveServer = Callable[..., tuple[str, SimulatorControl]]
V1 = "/restapi/v1.0/account/~"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects → JSON Schema (draft 7): `nullable` becomes a null type."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _openapi_to_jsonschema(value) for key, value in node.items()
           if key not in ("example", "examples", "discriminator", "xml", "externalDocs")}
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


class SpecValidator:
    """Finds the operation for a request and validates the response body against its schema."""

    def __init__(self, spec: dict[str, Any]) -> None:
        schemas = _openapi_to_jsonschema(copy.deepcopy(spec["components"]["schemas"]))
        brand = set(schemas["CampaignStatusInfo"]["enum"]) | set(schemas["TcrBrandStatus"]["enum"])
        schemas["SmsBrandInfo"]["properties"]["status"] = {"type": "string", "enum": sorted(brand)}
        self.root = {"components": {"schemas": schemas}}
        self.spec = spec
        self.operations: list[tuple[str, re.Pattern[str], dict[str, Any]]] = []
        for path, item in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "/?$")
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    self.operations.append((method.upper(), pattern, operation))
        self.checked: dict[str, int] = {}
        self._validators: dict[str, jsonschema.Draft7Validator] = {}

    def _schema(self, operation: dict[str, Any], status: int) -> dict[str, Any] | None:
        if operation.get("operationId") == "readMessage" and status == 200:
            # The spec's single-message schema requires `vmSideRecipients` (minItems 1), a
            # voicemail-only list no SMS record carries: validate against the message itself.
            return {"$ref": "#/components/schemas/GetMessageInfoResponse"}
        responses = operation["responses"]
        response = responses.get(str(status)) or responses.get("default")
        if response is None:
            assert status >= 400, f"undocumented success status {status}"
            return {"$ref": "#/components/schemas/ApiErrorResponseModel"}
        if "$ref" in response:
            response = self.spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        content = response.get("content", {})
        media = content.get("application/json") or next(iter(content.values()), None)
        if media is None:
            return {"$ref": "#/components/schemas/ApiErrorResponseModel"} if status >= 400 else None
        schema: dict[str, Any] = _openapi_to_jsonschema(media["schema"])
        return schema

    def validate_request(self, request: httpx.Request) -> None:
        """A JSON request body against its operation's `requestBody` schema."""
        if request.headers.get("content-type") != "application/json" or not request.content:
            return
        operation = self._operation(request)
        media = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if media is None:
            return
        name = f"{operation['operationId']} request"
        checker = jsonschema.Draft7Validator(
            {"allOf": [_openapi_to_jsonschema(media["schema"])], **self.root})
        checker.validate(json.loads(request.content))
        self.checked[name] = self.checked.get(name, 0) + 1

    def _operation(self, request: httpx.Request) -> dict[str, Any]:
        path = urlsplit(str(request.url)).path
        matches = [op for method, pattern, op in self.operations
                   if method == request.method and pattern.match(path)]
        assert matches, f"no spec operation for {request.method} {path}"
        # The most specific template wins (fewest path parameters).
        return min(matches, key=lambda op: len(re.findall("{", str(op.get("operationId")))))

    def validate(self, response: httpx.Response) -> None:
        operation = self._operation(response.request)
        schema = self._schema(operation, response.status_code)
        if schema is None or response.status_code == 302 or not response.content:
            return
        body = response.json()
        name = f"{operation['operationId']} {response.status_code}"
        checker = self._validators.get(name)
        if checker is None:
            # allOf/$ref resolve against the converted components (wrapped so siblings apply).
            checker = jsonschema.Draft7Validator({"allOf": [schema], **self.root})
            self._validators[name] = checker
        checker.validate(body)
        self.checked[name] = self.checked.get(name, 0) + 1


@pytest.fixture(scope="module")
def validator(openapi_spec: dict[str, Any]) -> SpecValidator:
    return SpecValidator(openapi_spec)


async def _scenario(client: httpx.AsyncClient, control: SimulatorControl, big: bool) -> None:
    default_plan = dict(control.limiter.plan)
    control.limiter.plan = dict.fromkeys(default_plan, 100_000)  # headers, but no 429 yet
    form = {"grant_type": JWT_GRANT, "assertion": DEMO_JWT}
    token = (await client.post("/restapi/oauth/token", data=form,
                               auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))).json()
    await client.post("/restapi/oauth/token", data=form, auth=(DEMO_CLIENT_ID, "wrong"))
    await client.post("/restapi/oauth/token", data={**form, "assertion": "x"},
                      auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))
    refreshed = (await client.post("/restapi/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))).json()
    # PKCE
    verifier = "k" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    redirect = "http://127.0.0.1:40111/cb"
    approved = await client.get("/restapi/oauth/authorize", params={
        "response_type": "code", "client_id": DEMO_CLIENT_ID, "redirect_uri": redirect,
        "state": "s", "code_challenge": challenge.decode(), "code_challenge_method": "S256",
        "prompt": "none"})
    code = parse_qs(urlsplit(approved.headers["location"]).query)["code"][0]
    await client.post("/restapi/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
        "code_verifier": verifier, "client_id": DEMO_CLIENT_ID})
    await client.get("/restapi/oauth/authorize", params={
        "response_type": "code", "client_id": DEMO_CLIENT_ID, "redirect_uri": "https://x.example"})
    await client.get(V1 + "/extension/~")  # 401
    client.headers["Authorization"] = f"Bearer {refreshed['access_token']}"

    async def pages(path: str, per_page: int) -> list[dict[str, Any]]:
        response = await client.get(path, params={"perPage": per_page})
        records = list(response.json()["records"])
        while nxt := response.json()["navigation"].get("nextPage"):
            response = await client.get(nxt["uri"])
            records += response.json()["records"]
        return records

    extensions = await pages(V1 + "/extension", 7)
    await client.get(V1 + "/extension", params={"type": ["Department", "Site", "IvrMenu"]})
    await client.get(V1 + "/extension", params={"perPage": 2000})
    for ext in extensions if not big else extensions[:25]:
        await client.get(f"{V1}/extension/{ext['id']}")
        numbers = await pages(f"{V1}/extension/{ext['id']}/phone-number", 9)
        for number in numbers:
            await client.get(f"{V1}/extension/{ext['id']}/phone-number/{number['id']}"
                             "/sms-configuration")
        if ext["type"] in ("Department", "Site", "IvrMenu"):
            await client.get(f"{V1}/extension/{ext['id']}/sms-recipients")
    account_numbers = await pages(V1 + "/phone-number", 50 if not big else 1000)
    for number in account_numbers[:5]:
        await client.get(f"{V1}/phone-number/{number['id']}")
    await client.get(V1 + "/extension/~/phone-number/1/sms-configuration")  # 404
    await client.get(V1 + "/extension/~/phone-number", params={"usageType": "Nope"})  # 400
    # Messages: accepted ones through every stage, and each kind of refusal.
    sent = []
    for sender, to in (("+16505550101", "+14155550142"), ("+16505550105", "+14155550142"),
                       ("+18885550118", "+14155550142"), ("+16505550101", "+16505550199"),
                       ("+16505550113", "+14155550142"), ("+16505550100", "+14155550142"),
                       ("+18335550104", "+442071838750"), ("+16505550121", "+14155550142")):
        response = await client.post(V1 + "/extension/~/sms", json={
            "from": {"phoneNumber": sender}, "to": [{"phoneNumber": to}], "text": "Hello"})
        if response.status_code == 200:
            sent.append(response.json()["id"])
    await client.post(V1 + "/extension/~/mms", data={"from": "+16505550101",
                                                     "to": "+14155550142"},
                      files={"a": ("p.png", b"\x89PNG....", "image/png")})
    await client.post(V1 + "/extension/~/mms", data={"from": "+16505550101",
                                                     "to": "+14155550142"},
                      files={"a": ("p.exe", b"MZ", "application/x-msdownload")})
    for _ in range(3):
        for message_id in sent:
            await client.get(f"{V1}/extension/~/message-store/{message_id}")
        control.advance(control.config.delivery_delay_s)
    await _registrations_scenario(client, control)
    control.set_admin(False)
    await client.get(V1 + "/phone-number")  # 403
    control.set_admin(True)
    control.limiter.plan = default_plan
    control.reset_rate_limits()
    for _ in range(12):
        await client.get(V1 + "/phone-number", params={"perPage": 1})  # 429 at the end
    await client.post("/restapi/oauth/revoke", data={"token": refreshed["access_token"]},
                      auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET))


async def _registrations_scenario(client: httpx.AsyncClient, control: SimulatorControl) -> None:
    """TCR reads, linkNumbers and bulkAssignSmsRecipients: successes and each documented error."""
    brands = (await client.get(V1 + "/sms-registration-brands")).json()["records"]
    for brand in brands:
        await client.get(f"{V1}/sms-registration-brands/{brand['id']}")
        campaigns = await client.get(f"{V1}/sms-registration-brands/{brand['id']}/campaigns")
        for campaign in campaigns.json()["records"]:
            await client.get(f"{V1}/sms-registration-brands/{brand['id']}/campaigns/"
                             f"{campaign['id']}")
    await client.get(V1 + "/sms-registration-brands/999999")  # 404
    await client.get(V1 + "/sms-registration-brands/abc/campaigns")  # 400
    link = V1 + "/sms-registration-brands/1008/campaigns/2008/submit-phone-numbers"
    await client.post(link, json={"phoneNumbers": ["+14155550109"]})  # 200
    await client.post(link, json={"phoneNumbers": []})  # 400
    await client.post(V1 + "/sms-registration-brands/1008/campaigns/2015/submit-phone-numbers",
                      json={"phoneNumbers": ["+14155550122"]})  # 404: 2015 is another brand's
    queue = next(e for e in (await client.get(V1 + "/extension", params={
        "type": "Department"})).json()["records"])
    users = (await client.get(V1 + "/extension", params={"type": "User"})).json()["records"]
    assign = f"{V1}/extension/{queue['id']}/sms-recipients/bulk-assign"
    await client.post(assign, json={"addedExtensionIds": [str(users[-1]["id"])]})  # 204
    await client.get(f"{V1}/extension/{queue['id']}/sms-recipients")
    await client.post(assign, json={})  # 400
    control.set_admin(False)
    await client.post(link, json={"phoneNumbers": ["+14155550109"]})  # 403
    await client.post(assign, json={"addedExtensionIds": [str(users[0]["id"])]})  # 403
    await client.get(V1 + "/sms-registration-brands/1008/campaigns")  # 403
    control.set_admin(True)


@pytest.mark.parametrize("big", [False, True], ids=["demo", "generated"])
async def test_every_response_matches_the_spec(
    live_server: LiveServer, validator: SpecValidator, big: bool,
) -> None:
    options: dict[str, Any] = {"account_numbers": 600, "extensions": 80} if big else {}
    url, control = live_server(rate_window_s=60.0, **options)
    responses: list[httpx.Response] = []

    async def record(response: httpx.Response) -> None:
        await response.aread()
        responses.append(response)

    async with httpx.AsyncClient(base_url=url, event_hooks={"response": [record]}) as client:
        await _scenario(client, control, big)
    for response in responses:
        try:
            validator.validate(response)
            if response.status_code < 400:
                validator.validate_request(response.request)
        except jsonschema.ValidationError as error:
            pytest.fail(f"{response.request.method} {response.request.url.path} "
                        f"{response.status_code}: {error.message} at {list(error.absolute_path)}")
    statuses = {r.status_code for r in responses}
    assert {200, 302, 400, 401, 403, 404, 415, 429} <= statuses or big
    for operation in ("listExtensionPhoneNumbers 200", "smsConfigurationInfo 200",
                      "listAccountPhoneNumbers 200", "readExtension 200", "listExtensions 200",
                      "getToken 200", "createSMSMessage 200", "readMessage 200",
                      "listAllTcrBrands 200", "findTcrBrandById 200", "listAllTcrCampaigns 200",
                      "findTcrCampaignById 200", "listAllTcrBrands 200", "findTcrBrandById 404",
                      "linkNumbers 400", "linkNumbers 403", "linkNumbers 404",
                      "bulkAssignSmsRecipients 400", "bulkAssignSmsRecipients 403",
                      "linkNumbers request", "bulkAssignSmsRecipients request",
                      "createSMSMessage request"):
        assert validator.checked.get(operation), operation
