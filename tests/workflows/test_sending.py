"""Sending and following a message, against a tiny local RingCentral stand-in (ASGI).

The stand-in records what it received and scripts the message record's statuses, so each test
says what the user would see: the status sequence, the explained code, when following stops.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rc_sms_desktop.api.client import RetryPolicy, RingCentralClient
from rc_sms_desktop.core.attachments import describe_attachment
from rc_sms_desktop.core.eligibility import Fixer
from rc_sms_desktop.core.recipients import parse_recipients
from rc_sms_desktop.workflows.sending import (
    DELIVERED,
    DELIVERY_FAILED,
    SENT,
    SendRefused,
    SentMessage,
    StatusUpdate,
    find_sender,
    follow_status,
    send_and_follow,
    send_message,
)


class FakeRingCentral:
    """Records requests; answers sends and message-store reads from a script."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.send_error: tuple[int, str, str] | None = None
        self.send_error_headers: dict[str, str] = {}
        self.statuses: list[Any] = ["Sent", "Delivered"]
        self.delivery_error: str | None = None
        self.send_body: dict[str, Any] = {"id": 42, "messageStatus": "Queued"}
        # The signed-in user's numbers and their SMS configurations (for `find_sender`).
        self.numbers: list[dict[str, Any]] = []
        self.configs: dict[str, Any] = {}

    def app(self) -> Starlette:
        async def send(request: Request) -> JSONResponse:
            content_type = request.headers.get("content-type", "")
            info: dict[str, Any] = {"content_type": content_type}
            if content_type.startswith("multipart/"):
                async with request.form() as form:
                    request_part = form["request"]
                    assert not isinstance(request_part, str)
                    info["json"] = json.loads(await request_part.read())
                    info["files"] = []
                    for name, value in form.multi_items():
                        if name == "attachment" and not isinstance(value, str):
                            info["files"].append(
                                (value.filename, value.content_type, len(await value.read()))
                            )
            else:
                info["json"] = await request.json()
            self.requests.append((request.method, request.url.path, info))
            if self.send_error is not None:
                status, code, message = self.send_error
                return JSONResponse(
                    {"errors": [{"errorCode": code, "message": message}]},
                    status_code=status,
                    headers=self.send_error_headers,
                )
            return JSONResponse(self.send_body)

        async def read(request: Request) -> JSONResponse:
            self.requests.append((request.method, request.url.path, {}))
            step = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
            if isinstance(step, int):
                return JSONResponse(
                    {"errors": [{"errorCode": "CMN-102", "message": "x"}]}, status_code=step
                )
            body: dict[str, Any] = {"id": request.path_params["id"], "messageStatus": step}
            if step in ("DeliveryFailed", "SendingFailed") and self.delivery_error:
                body["deliveryErrorCode"] = self.delivery_error
            return JSONResponse(body)

        async def numbers(request: Request) -> JSONResponse:
            self.requests.append((request.method, request.url.path, {}))
            paging = {
                "page": 1,
                "perPage": 100,
                "totalPages": 1,
                "totalElements": len(self.numbers),
            }
            return JSONResponse({"records": self.numbers, "paging": paging, "navigation": {}})

        async def configuration(request: Request) -> JSONResponse:
            self.requests.append((request.method, request.url.path, {}))
            found = self.configs.get(request.path_params["id"])
            if isinstance(found, int):
                return JSONResponse(
                    {"errors": [{"errorCode": "CMN-102", "message": "x"}]}, status_code=found
                )
            return JSONResponse(found or {})

        base = "/restapi/v1.0/account/~/extension/~"
        return Starlette(
            routes=[
                Route(base + "/phone-number", numbers, methods=["GET"]),
                Route(
                    base + "/phone-number/{id}/sms-configuration", configuration, methods=["GET"]
                ),
                Route(base + "/sms", send, methods=["POST"]),
                Route(base + "/mms", send, methods=["POST"]),
                Route(base + "/message-store/{id}", read, methods=["GET"]),
            ]
        )


class FakeClock:
    """Time that passes only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeRingCentral:
    return FakeRingCentral()


@pytest.fixture
async def client(fake: FakeRingCentral) -> AsyncIterator[RingCentralClient]:
    transport = httpx.ASGITransport(app=fake.app())
    async with RingCentralClient("http://rc.test", transport, retry=RetryPolicy(attempts=1)) as rc:
        yield rc


async def collect(
    client: RingCentralClient, sent: SentMessage, clock: FakeClock, **kw: Any
) -> list[StatusUpdate]:
    return [
        update async for update in follow_status(client, sent, sleep=clock.sleep, clock=clock, **kw)
    ]


async def test_sms_is_posted_as_json_and_followed_to_delivered(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    recipients = parse_recipients("(650) 555-0123, +44 20 7946 0958", from_region="US")
    sent = await send_message(client, "+16505550101", recipients, "Hello")
    method, path, info = fake.requests[0]
    assert (method, path) == ("POST", "/restapi/v1.0/account/~/extension/~/sms")
    assert info["json"] == {
        "from": {"phoneNumber": "+16505550101"},
        "to": [{"phoneNumber": "+16505550123"}, {"phoneNumber": "+442079460958"}],
        "text": "Hello",
    }
    assert sent.id == "42"
    assert sent.kind == "SMS"
    clock = FakeClock()
    updates = await collect(client, sent, clock)
    assert [u.status for u in updates] == ["Queued", SENT, DELIVERED]
    assert updates[-1].settled and updates[-1].delivered
    assert updates[-1].text() == "Delivered."
    assert all(path.endswith("/message-store/42") for _, path, _ in fake.requests[1:])


async def test_polling_backs_off(client: RingCentralClient, fake: FakeRingCentral) -> None:
    fake.statuses = ["Queued", "Queued", "Queued", "Sent", "Delivered"]
    clock = FakeClock()
    sent = await send_message(client, "+16505550101", ["+16505550123"], "x")
    updates = await collect(client, sent, clock, first_delay=1.0, factor=2.0, max_delay=4.0)
    assert [u.status for u in updates] == ["Queued", SENT, DELIVERED]  # changes only
    assert clock.sleeps == [1.0, 2.0, 4.0, 4.0, 4.0]


async def test_mms_is_multipart_with_json_request_and_files(
    client: RingCentralClient, fake: FakeRingCentral, tmp_path: Path
) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG" + b"0" * 100)
    card = tmp_path / "me.vcf"
    card.write_bytes(b"BEGIN:VCARD")
    files = [describe_attachment(str(image), 104), describe_attachment(str(card), 11)]
    sent = await send_message(client, "+16505550101", ["+16505550123"], "Look", files)
    _, path, info = fake.requests[0]
    assert path.endswith("/mms")
    assert info["content_type"].startswith("multipart/form-data")
    assert info["json"]["text"] == "Look"
    assert info["json"]["to"] == [{"phoneNumber": "+16505550123"}]
    assert info["files"] == [("photo.png", "image/png", 104), ("me.vcf", "text/vcard", 11)]
    assert sent.kind == "MMS"


async def test_unreadable_attachment_sends_nothing(
    client: RingCentralClient, fake: FakeRingCentral, tmp_path: Path
) -> None:
    missing = describe_attachment(str(tmp_path / "gone.png"), 10)
    with pytest.raises(SendRefused) as caught:
        await send_message(client, "+16505550101", ["+16505550123"], "x", [missing])
    assert "could not be read" in caught.value.explanation.message
    assert fake.requests == []


@pytest.mark.parametrize(
    ("status", "code", "who"),
    [
        # Every send-time code the issue names, with the HTTP status RingCentral documents.
        (403, "MSG-240", Fixer.ACCOUNT_ADMIN),
        (403, "MSG-241", Fixer.YOU),
        (403, "MSG-242", Fixer.ACCOUNT_ADMIN),
        (400, "MSG-243", Fixer.ACCOUNT_ADMIN),
        (400, "MSG-245", Fixer.YOU),
        (400, "MSG-246", Fixer.YOU),
        (403, "MSG-304", Fixer.ACCOUNT_ADMIN),
        (429, "MSG-305", Fixer.YOU),
        (400, "MSG-310", Fixer.ACCOUNT_ADMIN),
        (403, "MSG-314", Fixer.ACCOUNT_ADMIN),
        (403, "MSG-330", Fixer.YOU),
        (400, "MSG-331", Fixer.YOU),
        (400, "MSG-337", Fixer.YOU),
        (400, "MSG-338", Fixer.YOU),
        (400, "MSG-347", Fixer.YOU),
        (415, "MSG-348", Fixer.YOU),
        (403, "MSG-403", Fixer.YOU),
        (400, "CMN-101", Fixer.YOU),
        (404, "CMN-102", Fixer.YOU),
        (403, "CMN-109", Fixer.ACCOUNT_ADMIN),
        (403, "CMN-401", Fixer.ACCOUNT_ADMIN),
        (403, "CMN-402", Fixer.ACCOUNT_ADMIN),
        (403, "CMN-403", Fixer.ACCOUNT_ADMIN),
        (403, "CMN-408", Fixer.ACCOUNT_ADMIN),
        (429, "CMN-301", Fixer.YOU),
        (429, "CMN-303", Fixer.RINGCENTRAL_SUPPORT),
        (503, "MSG-290", Fixer.YOU),
    ],
)
async def test_refusals_are_explained(
    client: RingCentralClient, fake: FakeRingCentral, status: int, code: str, who: Fixer
) -> None:
    fake.send_error = (status, code, "RingCentral's words")
    with pytest.raises(SendRefused) as caught:
        await send_message(client, "+16505550101", ["+16505550123"], "x")
    explanation = caught.value.explanation
    assert explanation.code == code
    assert explanation.known
    assert explanation.who is who
    assert explanation.server_message == "RingCentral's words"
    assert code in str(caught.value)


async def test_unknown_refusal_is_shown_raw(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.send_error = (400, "MSG-999", "A brand new problem")
    with pytest.raises(SendRefused) as caught:
        await send_message(client, "+16505550101", ["+16505550123"], "x")
    assert caught.value.explanation.message == "A brand new problem"
    assert not caught.value.explanation.known


async def test_delivery_failure_is_explained(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.statuses = ["Sent", "DeliveryFailed"]
    fake.delivery_error = "SMS-UP-414"
    clock = FakeClock()
    sent = await send_message(client, "+16505550110", ["+16505550123"], "x")
    updates = await collect(client, sent, clock)
    final = updates[-1]
    assert final.status == DELIVERY_FAILED
    assert final.failed and final.settled
    assert final.error is not None
    assert final.error.code == "SMS-UP-414"
    assert "not set up to send text messages" in final.text()


async def test_failure_without_code_still_says_failed(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.statuses = ["SendingFailed"]
    updates = await collect(
        client, await send_message(client, "+1", ["+16505550123"], "x"), FakeClock()
    )
    assert updates[-1].error is not None
    assert "without an error code" in updates[-1].error.message


async def test_gives_up_at_the_deadline_with_the_last_status(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.statuses = ["Sent"]
    clock = FakeClock()
    sent = await send_message(client, "+16505550101", ["+16505550123"], "x")
    updates = await collect(client, sent, clock, deadline=30.0, max_delay=8.0)
    assert updates[-1].gave_up
    assert updates[-1].status == SENT
    assert "no final status yet" in updates[-1].text()
    assert clock.now == pytest.approx(30.0)


async def test_transient_failures_while_following_are_retried(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.statuses = [404, 503, "Delivered"]
    sent = await send_message(client, "+16505550101", ["+16505550123"], "x")
    updates = await collect(client, sent, FakeClock())
    assert [u.status for u in updates] == ["Queued", DELIVERED]


async def test_lost_access_stops_following_with_the_reason(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.statuses = [403]
    sent = await send_message(client, "+16505550101", ["+16505550123"], "x")
    updates = await collect(client, sent, FakeClock())
    assert updates[-1].gave_up
    assert updates[-1].error is not None
    assert updates[-1].error.code == "CMN-102"


async def test_already_settled_send_is_not_polled(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.send_body = {"id": "7", "messageStatus": "Delivered"}
    updates = [
        u
        async for u in send_and_follow(
            client, "+16505550101", ["+16505550123"], "x", sleep=FakeClock().sleep
        )
    ]
    assert [u.status for u in updates] == [DELIVERED]
    assert len(fake.requests) == 1


async def test_answer_without_id_says_it_cannot_be_followed(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.send_body = {"messageStatus": "Queued"}
    sent = await send_message(client, "+16505550101", ["+16505550123"], "x")
    updates = await collect(client, sent, FakeClock())
    assert len(updates) == 1
    assert updates[0].gave_up
    assert updates[0].error is not None
    assert "no id" in updates[0].error.message


def phone_record(phone: str, features: list[str], number_id: str = "1") -> dict[str, Any]:
    return {
        "id": number_id,
        "phoneNumber": phone,
        "paymentType": "Local",
        "type": "VoiceFax",
        "usageType": "DirectNumber",
        "status": "Normal",
        "features": features,
        "country": {"id": "1", "isoCode": "US", "name": "United States"},
        "extension": {"id": "11", "extensionNumber": "101", "type": "User"},
    }


CONFIRMED = {
    "phoneNumberId": "1",
    "smsCampaignInfo": {
        "id": "c",
        "status": "Confirmed",
        "registrationTier": "Standard",
        "useCases": ["CustomerCare"],
    },
    "smsBrandInfo": {"id": "b", "status": "Verified"},
}


async def test_find_sender_reads_the_number_and_its_configuration(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.numbers = [phone_record("+16505550101", ["SmsSender", "MmsSender"])]
    fake.configs = {"1": CONFIRMED}
    verdict = await find_sender(client, "+16505550101")
    assert verdict is not None
    assert verdict.can_send_sms
    assert verdict.use_cases == ("CustomerCare",)
    assert await find_sender(client, "+19995550000") is None


async def test_find_sender_with_unreadable_configuration_is_unknown_not_blocked(
    client: RingCentralClient, fake: FakeRingCentral
) -> None:
    fake.numbers = [phone_record("+16505550101", ["SmsSender"])]
    fake.configs = {"1": 500}
    verdict = await find_sender(client, "+16505550101")
    assert verdict is not None
    assert str(verdict.sms) == "unknown"


# --- Through the simulator (the demo account): each mapped code as RingCentral would send it ---

SIM_FOLLOW = {"first_delay": 0.01, "max_delay": 0.02, "deadline": 5.0}


@pytest.fixture
async def demo() -> AsyncIterator[RingCentralClient]:
    from rc_sms_desktop.api.demo import open_demo_client

    rc = await open_demo_client(delivery_delay_s=0.01)
    try:
        yield rc
    finally:
        await rc.aclose()


@pytest.mark.parametrize(
    ("sender", "to", "text", "code"),
    [
        ("+14155550109", "+16505550123", "x", "MSG-242"),  # no SmsSender
        ("+16505550113", "+16505550123", "x", "MSG-241"),  # fax-only number
        ("+19995550000", "+16505550123", "x", "MSG-245"),  # not in the account
        ("+16505550121", "+16505550123", "x", "MSG-304"),  # Priya's direct line
        ("+18335550104", "+442079460958", "x", "MSG-403"),  # international from toll-free
        ("+14155550102", "+442079460958", "x", "MSG-240"),  # no InternationalSmsSender
        ("+16505550101", "+16505550123", "a" * 1001, "MSG-338"),  # over RingCentral's limit
    ],
)
async def test_simulator_refusals_are_explained(
    demo: RingCentralClient, sender: str, to: str, text: str, code: str
) -> None:
    with pytest.raises(SendRefused) as caught:
        await send_message(demo, sender, [to], text)
    explanation = caught.value.explanation
    assert explanation.code == code
    assert explanation.known
    assert explanation.server_message  # RingCentral's words kept as the detail


@pytest.mark.parametrize(
    ("name", "size", "code"),
    [
        ("big.png", 1_600_000, "MSG-337"),
        ("empty.png", 0, "MSG-347"),
        ("tool.exe", 10, "MSG-348"),
    ],
)
async def test_simulator_attachment_refusals_are_explained(
    demo: RingCentralClient, tmp_path: Path, name: str, size: int, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"x" * size)
    attachment = describe_attachment(str(path), size)
    with pytest.raises(SendRefused) as caught:
        await send_message(demo, "+16505550101", ["+16505550123"], "pic", [attachment])
    assert caught.value.explanation.code == code


@pytest.mark.parametrize(
    ("sender", "to", "status", "code"),
    [
        ("+16505550101", "+16505550123", "Delivered", None),
        ("+16505550105", "+16505550123", "SendingFailed", "SMS-UP-414"),  # campaign pending
        ("+16505550101", "+16505550199", "SendingFailed", "SMS-RC-413"),  # recipient opted out
    ],
)
async def test_simulator_delivery_outcomes_are_followed_and_explained(
    demo: RingCentralClient, sender: str, to: str, status: str, code: str | None
) -> None:
    updates = [
        update async for update in send_and_follow(demo, sender, [to], "Hello", **SIM_FOLLOW)
    ]
    final = updates[-1]
    assert final.settled
    assert final.status == status
    assert (final.error.code if final.error else None) == code
    assert updates[0].status == "Queued"


async def test_simulator_mms_is_accepted_and_delivered(
    demo: RingCentralClient, tmp_path: Path
) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(b"\x89PNG....")
    attachment = describe_attachment(str(picture), 8)
    updates = [
        update
        async for update in send_and_follow(
            demo, "+16505550101", ["+16505550123"], "", [attachment], **SIM_FOLLOW
        )
    ]
    assert updates[-1].delivered


# --- The request bodies against RingCentral's published schemas (skipped without the spec) ---


def _spec_validator(openapi_spec: dict[str, Any], schema: str) -> Any:
    import jsonschema

    root = {"$ref": f"#/components/schemas/{schema}", "components": openapi_spec["components"]}
    return jsonschema.Draft7Validator(root)


async def test_sms_body_matches_the_specs_create_sms_message(
    client: RingCentralClient, fake: FakeRingCentral, openapi_spec: dict[str, Any]
) -> None:
    await send_message(client, "+16505550101", ["+16505550123", "+442079460958"], "Hi 😀")
    body = fake.requests[0][2]["json"]
    errors = list(_spec_validator(openapi_spec, "CreateSMSMessage").iter_errors(body))
    assert errors == []


async def test_mms_request_part_matches_the_specs_create_mms_message(
    client: RingCentralClient, fake: FakeRingCentral, openapi_spec: dict[str, Any], tmp_path: Path
) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(b"png")
    await send_message(
        client, "+16505550101", ["+16505550123"], "x", [describe_attachment(str(picture), 3)]
    )
    body = dict(fake.requests[0][2]["json"])
    # The spec models the files as an `attachments` property; they travel as multipart parts.
    body["attachments"] = ["<binary>"]
    errors = list(_spec_validator(openapi_spec, "CreateMMSMessage").iter_errors(body))
    assert errors == []
