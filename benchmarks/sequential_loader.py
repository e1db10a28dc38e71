"""The peer: the way RingCentral's official Python SDK is used, one request at a time.

Plain synchronous httpx, the same requests our loader sends (read the extension, list its
numbers page by page, then each SMS configuration that can change a verdict), one after the
other, and the same verdicts at the end. Sign-in is separate (`sign_in`) and not timed.
"""

from __future__ import annotations

from typing import Any

import httpx

from rc_sms_desktop.api import endpoints
from rc_sms_desktop.core.eligibility import ConfigState, Verdict, evaluate, needs_configuration
from rc_sms_desktop.core.models import parse_phone_number, parse_sms_configuration

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def sign_in(http: httpx.Client, client_id: str, client_secret: str, jwt: str) -> None:
    """JWT bearer grant; the access token goes into the client's default headers."""
    response = http.post("/restapi/oauth/token", auth=(client_id, client_secret),
                         data={"grant_type": JWT_GRANT, "assertion": jwt})
    response.raise_for_status()
    http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"


def load_sequentially(http: httpx.Client) -> list[Verdict]:
    """Every verdict of the signed-in user, one request at a time."""
    http.get(endpoints.MY_EXTENSION).raise_for_status()
    records: list[Any] = []
    page = 1
    while True:
        response = http.get(endpoints.MY_NUMBERS, params={"perPage": 1000, "page": page})
        response.raise_for_status()
        body = response.json()
        records.extend(body.get("records") or [])
        paging = body.get("paging") or {}
        if page >= int(paging.get("totalPages") or 1):
            break
        page += 1
    verdicts = []
    for record in records:
        number = parse_phone_number(record)
        if not needs_configuration(number):
            verdicts.append(evaluate(number))
            continue
        response = http.get(endpoints.sms_configuration(number.id))
        if response.status_code == 200:
            config = parse_sms_configuration(response.json())
            verdicts.append(evaluate(number, config, config_state=ConfigState.LOADED))
        else:
            verdicts.append(evaluate(number, None, config_state=ConfigState.FAILED))
    return verdicts
