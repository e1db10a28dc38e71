"""Sending SMS/MMS from each demo number: synchronous refusals and delivery outcomes (issue #7)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sim_support import Sim

from rc_sms_desktop.simulator.demo_account import OPTED_OUT_RECIPIENT

SMS = "/restapi/v1.0/account/~/extension/~/sms"
MMS = "/restapi/v1.0/account/~/extension/~/mms"
STORE = "/restapi/v1.0/account/~/extension/~/message-store"
US_RECIPIENT = "+14155550142"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def send(client: httpx.AsyncClient, sender: str, to: str = US_RECIPIENT,
               text: str = "Your order shipped") -> httpx.Response:
    return await client.post(SMS, json={"from": {"phoneNumber": sender},
                                        "to": [{"phoneNumber": to}], "text": text})


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["errorCode"]
    return code


@pytest.mark.parametrize(
    ("sender", "to", "status", "code"),
    [
        ("+16505550121", US_RECIPIENT, 403, "MSG-304"),  # a colleague's number
        ("+19995550100", US_RECIPIENT, 400, "MSG-245"),  # not in the account
        ("+16505550113", US_RECIPIENT, 403, "MSG-241"),  # fax-only
        ("+16505550100", US_RECIPIENT, 403, "MSG-242"),  # main number, SMS with Priya
        ("+14155550109", US_RECIPIENT, 403, "MSG-242"),  # no SMS feature
        ("+16505550112", US_RECIPIENT, 403, "MSG-242"),  # High Volume only (A2PSmsSender)
        ("+16505550117", US_RECIPIENT, 403, "MSG-242"),  # still being ported in
        ("+18335550104", "+442071838750", 403, "MSG-403"),  # toll-free to international
        ("+14155550102", "+442071838750", 403, "MSG-240"),  # no InternationalSmsSender
    ],
)
async def test_refused_sends(sim: Sim, sender: str, to: str, status: int, code: str) -> None:
    client, control = sim
    response = await send(client, sender, to)
    assert response.status_code == status
    assert error_code(response) == code
    assert control.stats.messages_sent == 0


async def test_text_over_1000_utf16_units_is_refused(sim: Sim) -> None:
    client, _ = sim
    assert (await send(client, "+16505550101", text="a" * 1000)).status_code == 200
    too_long = await send(client, "+16505550101", text="😀" * 501)  # 1002 UTF-16 units
    assert too_long.status_code == 400
    assert error_code(too_long) == "MSG-338"


@pytest.mark.parametrize(
    ("sender", "to", "final", "delivery_code"),
    [
        ("+16505550101", US_RECIPIENT, "Delivered", None),
        ("+16505550101", "+442071838750", "Delivered", None),  # international allowed
        ("+18335550104", US_RECIPIENT, "Delivered", None),  # verified toll-free
        ("+14155550114", US_RECIPIENT, "Delivered", None),  # call-queue number assigned to me
        ("+12125550119", US_RECIPIENT, "Delivered", None),  # company number assigned to me
        ("+16505550105", US_RECIPIENT, "SendingFailed", "SMS-UP-414"),  # campaign Submitted
        ("+14155550106", US_RECIPIENT, "SendingFailed", "SMS-UP-414"),  # SubmitFailed
        ("+12125550107", US_RECIPIENT, "SendingFailed", "SMS-UP-414"),  # suspended
        ("+16505550108", US_RECIPIENT, "SendingFailed", "SMS-UP-414"),  # expired
        ("+12125550111", US_RECIPIENT, "SendingFailed", "SMS-UP-414"),  # unverified brand
        ("+16505550110", US_RECIPIENT, "SendingFailed", "SMS-UP-414"),  # features, no campaign
        ("+16505550101", OPTED_OUT_RECIPIENT, "SendingFailed", "SMS-RC-413"),
    ],
)
async def test_accepted_messages_end_as_the_sender_state_says(
    sim: Sim, sender: str, to: str, final: str, delivery_code: str | None,
) -> None:
    client, control = sim
    response = await send(client, sender, to)
    assert response.status_code == 200, response.text
    sent = response.json()
    assert sent["messageStatus"] == "Queued"
    assert "deliveryErrorCode" not in sent
    path = f"{STORE}/{sent['id']}"
    assert (await client.get(path)).json()["messageStatus"] == "Queued"
    control.advance(control.config.delivery_delay_s)
    middle = (await client.get(path)).json()["messageStatus"]
    assert middle == ("SendingFailed" if final == "SendingFailed" else "Sent")
    control.advance(control.config.delivery_delay_s)
    record = (await client.get(path)).json()
    assert record["messageStatus"] == final
    assert record.get("deliveryErrorCode") == delivery_code


async def test_mms_multipart_with_attachment(sim: Sim) -> None:
    client, _ = sim
    response = await client.post(MMS, data={"from": "+16505550101", "to": US_RECIPIENT,
                                            "text": "Photo"},
                                  files={"attachment": ("photo.png", PNG, "image/png")})
    assert response.status_code == 200, response.text
    attachments = response.json()["attachments"]
    assert {"type": "MmsAttachment", "contentType": "image/png", "fileName": "photo.png",
            "size": len(PNG)}.items() <= attachments[-1].items()


async def test_sms_endpoint_takes_mms_as_multipart_mixed_with_json_first(sim: Sim) -> None:
    client, _ = sim
    boundary = "simboundary"
    request_json = (b'{"from":{"phoneNumber":"+16505550101"},'
                    b'"to":[{"phoneNumber":"' + US_RECIPIENT.encode() + b'"}],"text":"hi"}')
    body = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode() + request_json
            + f"\r\n--{boundary}\r\nContent-Type: image/png\r\nContent-Disposition: attachment;"
              f" filename=\"a.png\"\r\n\r\n".encode() + PNG + f"\r\n--{boundary}--\r\n".encode())
    response = await client.post(SMS, content=body,
                                 headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert response.status_code == 200, response.text
    assert response.json()["attachments"][-1]["fileName"] == "a.png"


@pytest.mark.parametrize(
    ("sender", "files", "status", "code"),
    [
        ("+16505550101", {"a": ("big.png", b"x" * 1_500_001, "image/png")}, 400, "MSG-337"),
        ("+16505550101", {"a": ("empty.png", b"", "image/png")}, 400, "MSG-347"),
        ("+16505550101", {"a": ("run.exe", b"MZ", "application/x-msdownload")}, 415, "MSG-348"),
        ("+12125550103", {"a": ("p.png", PNG, "image/png")}, 403, "MSG-242"),  # no MmsSender
        ("+18335550104", {"a": ("p.png", PNG, "image/png")}, 403, "MSG-242"),  # toll-free
    ],
)
async def test_mms_refusals(sim: Sim, sender: str, files: dict[str, Any], status: int,
                            code: str) -> None:
    client, _ = sim
    response = await client.post(MMS, data={"from": sender, "to": US_RECIPIENT}, files=files)
    assert response.status_code == status
    assert error_code(response) == code


async def test_bad_bodies_get_clear_errors(sim: Sim) -> None:
    client, _ = sim
    broken = await client.post(SMS, content=b"{not json", headers={"Content-Type": "application/json"})
    assert error_code(broken) == "CMN-103"
    no_to = await client.post(SMS, json={"from": {"phoneNumber": "+16505550101"}, "text": "x"})
    assert error_code(no_to) == "CMN-101"
    bad_to = await send(client, "+16505550101", to="555-0142")
    assert error_code(bad_to) == "CMN-101"
    other = await client.post("/restapi/v1.0/account/~/extension/62959250102/sms",
                              json={"from": {"phoneNumber": "+16505550121"},
                                    "to": [{"phoneNumber": US_RECIPIENT}], "text": "x"})
    assert other.status_code == 403


async def test_message_of_nobody_is_404(sim: Sim) -> None:
    client, _ = sim
    assert (await client.get(f"{STORE}/1")).status_code == 404


async def test_sending_counts_in_the_medium_group(make_sim: Any) -> None:
    client, control = await make_sim()
    response = await send(client, "+16505550101")
    assert response.headers["X-Rate-Limit-Group"] == "Medium"
    assert response.headers["X-Rate-Limit-Limit"] == "40"
    assert control.stats_json()["requests"]["Medium"] == 1
