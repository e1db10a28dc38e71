"""Sending SMS/MMS and reading message records (issue #7), answered from the sender's real state.

Synchronous refusals use the documented MSG codes (createSMSMessage, createMMS; https://developers.ringcentral.com/guide/basics/errors). Accepted messages
end by delivery codes on the message record (https://developers.ringcentral.com/guide/messaging/sms/sms-errors): a number
without a confirmed campaign fails upstream (SMS-UP-414), an unverified toll-free number is
blocked by carriers (SMS-CAR-461), an opted-out recipient gets SMS-RC-413.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

from rc_sms_desktop.simulator.asgi import JSONResponse, Request, Response
from rc_sms_desktop.simulator.clock import SimulatorClock, iso_time
from rc_sms_desktop.simulator.demo_account import OPTED_OUT_RECIPIENT, Account, PhoneNumber
from rc_sms_desktop.simulator.error_bodies import api_error, invalid_parameter, not_found

if TYPE_CHECKING:
    from rc_sms_desktop.simulator.control import SimulatorControl

MAX_TEXT_UNITS = 1000  # UTF-16 code units (createSMSMessage's `text` in the OpenAPI spec)
MAX_ATTACHMENT_BYTES = 1_500_000  # combined (https://developers.ringcentral.com/guide/messaging/sms/sending-images)
MAX_ATTACHMENTS = 10
_SUPPORTED_MEDIA = frozenset((
    "image/jpeg", "image/png", "image/bmp", "image/gif", "image/tiff", "image/svg+xml",
    "image/webp", "text/vcard", "text/x-vcard", "application/zip", "application/gzip",
    "application/rtf", "application/pdf", "text/html", "text/plain", "text/csv", "text/calendar",
))
_E164 = re.compile(r"\+[1-9]\d{6,14}\Z")


@dataclass(slots=True)
class Attachment:
    """One uploaded MMS part."""

    file_name: str
    content_type: str
    size: int


@dataclass(slots=True)
class SentMessage:
    """One outbound message and how it will end."""

    id: int
    owner_id: int
    created_at: float  # clock.monotonic() at send
    created_iso: str
    from_number: str
    from_name: str
    from_location: str | None
    to_numbers: tuple[str, ...]
    text: str
    attachments: tuple[Attachment, ...]
    final_status: str  # Delivered / DeliveryFailed / SendingFailed
    error_code: str | None


class MessageStore:
    """The sent messages; status moves Queued → Sent → final as the simulator clock advances."""

    def __init__(self, clock: SimulatorClock, delivery_delay_s: float) -> None:
        self._clock = clock
        self.delivery_delay_s = delivery_delay_s
        self.messages: dict[int, SentMessage] = {}
        self._next_id = 3_180_000_000

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def status_of(self, message: SentMessage) -> str:
        age = self._clock.monotonic() - message.created_at
        if age < self.delivery_delay_s:
            return "Queued"
        if age < 2 * self.delivery_delay_s and message.final_status != "SendingFailed":
            return "Sent"
        return message.final_status


# --- request parsing ---------------------------------------------------------------------------

@dataclass(slots=True)
class _Outgoing:
    body: dict[str, Any]
    attachments: list[tuple[str, str, bytes]]  # (file name, content type, bytes)


async def _parse(request: Request) -> _Outgoing | Response:
    content_type = request.headers.get("content-type", "")
    raw = await request.body()
    main_type = content_type.split(";")[0].strip().lower()
    if main_type == "application/json":
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return api_error(400, "CMN-103", "JSON can't be parsed.")
        if not isinstance(body, dict):
            return api_error(400, "CMN-103", "JSON can't be parsed.")
        return _Outgoing(body, [])
    if main_type in ("multipart/form-data", "multipart/mixed"):
        return _parse_multipart(content_type, raw)
    return api_error(415, "CMN-104", "Cannot parse request: unsupported Content-Type")


def _parse_multipart(content_type: str, raw: bytes) -> _Outgoing | Response:
    # The stdlib MIME parser reads both multipart/form-data and multipart/mixed (the `/sms` MMS
    # form, createMMS in the OpenAPI spec); the first JSON part is the request, files are attachments.
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    if not message.is_multipart():
        return api_error(400, "CMN-104", "Cannot parse request")
    body: dict[str, Any] = {}
    have_json = False
    attachments: list[tuple[str, str, bytes]] = []
    to_fields: list[str] = []
    for part in message.iter_parts():
        assert isinstance(part, Message)
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        name = part.get_param("name", header="content-disposition")
        file_name = part.get_filename()
        part_type = part.get_content_type()
        if not have_json and part_type == "application/json":
            try:
                parsed = json.loads(data)
            except (ValueError, UnicodeDecodeError):
                return api_error(400, "CMN-103", "JSON can't be parsed.")
            if isinstance(parsed, dict):
                body.update(parsed)
                have_json = True
                continue
        if file_name is None and isinstance(name, str) and name in ("from", "to", "text"):
            value = data.decode("utf-8", "replace")
            if name == "to":
                to_fields.append(value)
            elif name == "from":
                body["from"] = {"phoneNumber": value}
            else:
                body["text"] = value
            continue
        attachments.append((file_name or (name if isinstance(name, str) else "attachment"),
                            part_type, data))
    if to_fields:
        body["to"] = [{"phoneNumber": value} for value in to_fields]
    return _Outgoing(body, attachments)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _phone_of(value: object) -> str | None:
    if isinstance(value, dict):
        number = value.get("phoneNumber")
        return number if isinstance(number, str) else None
    return None


# --- sending -----------------------------------------------------------------------------------

def _control(request: Request) -> SimulatorControl:
    control: SimulatorControl = request.app.state.simulator
    return control


def _check_sender(account: Account, owner_id: int, e164: str,
                  mms: bool) -> tuple[PhoneNumber, tuple[str, ...]] | Response:
    number = account.number_by_e164(e164)
    features = account.features_of(owner_id, number.id) if number is not None else None
    if number is None:
        return api_error(400, "MSG-245", "Cannot find the phone number which belongs to user")
    if features is None:
        return api_error(403, "MSG-304", "Phone number doesn't belong to extension")
    if number.type == "FaxOnly":
        return api_error(403, "MSG-241", "Cannot send SMS from Fax number")
    if "SmsSender" not in features or (mms and "MmsSender" not in features):
        return api_error(403, "MSG-242", "Sending SMS is not available from the number specified.")
    return number, features


def _outcome(number: PhoneNumber, recipient: str) -> tuple[str, str | None]:
    if recipient == OPTED_OUT_RECIPIENT:
        return "SendingFailed", "SMS-RC-413"
    if number.is_toll_free:
        return ("Delivered", None) if number.toll_free_verified else ("DeliveryFailed", "SMS-CAR-461")
    campaign = number.campaign
    if campaign is None or campaign.status != "Confirmed":
        # "If the SMS campaign's status is anything other than Confirmed, outbound SMS messages
        # from that phone number will fail" (guide); upstream reports SMS-UP-414.
        return "SendingFailed", "SMS-UP-414"
    return "Delivered", None


async def _send(request: Request, force_mms: bool) -> Response:
    control = _control(request)
    account = control.account
    if request.path_params["accountId"] not in ("~", str(account.id)):
        return not_found("accountId")
    owner_id: int = request.state.session.owner_id
    if request.path_params["extensionId"] not in ("~", str(owner_id)):
        # Nobody sends on behalf of another extension, not even a super admin (listExtensionPhoneNumbers).
        return api_error(403, "CMN-404", "Attempt to access another extension")
    parsed = await _parse(request)
    if isinstance(parsed, Response):
        return parsed
    body, uploads = parsed.body, parsed.attachments
    mms = force_mms or bool(uploads)
    sender = _phone_of(body.get("from"))
    if sender is None:
        return invalid_parameter("from")
    recipients_raw = body.get("to")
    if not isinstance(recipients_raw, list) or not recipients_raw:
        return invalid_parameter("to")
    recipients = [_phone_of(item) for item in recipients_raw]
    if any(r is None or not _E164.match(r) for r in recipients):
        return invalid_parameter("to.phoneNumber")
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        return invalid_parameter("text")
    if not mms and not text:
        return invalid_parameter("text")
    if text and _utf16_units(text) > MAX_TEXT_UNITS:
        return api_error(400, "MSG-338", "Message size limit exceeded")
    if force_mms and not uploads:
        return invalid_parameter("attachments")
    checked = _check_sender(account, owner_id, sender, mms)
    if isinstance(checked, Response):
        return checked
    number, features = checked
    if len(uploads) > MAX_ATTACHMENTS or sum(len(d) for _, _, d in uploads) > MAX_ATTACHMENT_BYTES:
        return api_error(400, "MSG-337", "Attachment size limit exceeded")
    for _, content_type, data in uploads:
        if not data:
            return api_error(400, "MSG-347", "Attachment body is empty")
        if not (content_type in _SUPPORTED_MEDIA or content_type.startswith(("video/", "audio/"))):
            return api_error(415, "MSG-348", "Unsupported attachment media type")
    for recipient in recipients:
        assert recipient is not None
        if recipient.startswith("+1"):
            continue
        if number.is_toll_free:
            return api_error(403, "MSG-403",
                             "International SMS is not allowed from Toll Free phone number")
        if "InternationalSmsSender" not in features:
            return api_error(403, "MSG-240",
                             f"Specified recipient [{recipient}] isn't an US phone number")
    outcomes = [_outcome(number, r) for r in recipients if r is not None]
    final_status, error_code = next(((s, c) for s, c in outcomes if c), ("Delivered", None))
    owner = account.extension(owner_id)
    store = control.messages
    message = SentMessage(
        id=store.new_id(), owner_id=owner_id, created_at=control.clock.monotonic(),
        created_iso=iso_time(control.clock.now()), from_number=number.phone_number,
        from_name=owner.name if owner else "", from_location=number.location,
        to_numbers=tuple(r for r in recipients if r is not None), text=text or "",
        attachments=tuple(Attachment(n, t, len(d)) for n, t, d in uploads),
        final_status=final_status, error_code=error_code,
    )
    store.messages[message.id] = message
    control.stats.messages_sent += 1
    return JSONResponse(render_message(request, account, store, message, with_error=False))


def render_message(request: Request, account: Account, store: MessageStore,
                   message: SentMessage, with_error: bool) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    uri = (f"{base}/restapi/v1.0/account/{account.id}/extension/{message.owner_id}"
           f"/message-store/{message.id}")
    status = store.status_of(message)
    attachments: list[dict[str, Any]] = []
    if message.text:
        attachments.append({"id": message.id, "uri": f"{uri}/content/{message.id}",
                            "type": "Text", "contentType": "text/plain"})
    for index, item in enumerate(message.attachments, start=1):
        attachments.append({"id": message.id * 100 + index,
                            "uri": f"{uri}/content/{message.id * 100 + index}",
                            "type": "MmsAttachment", "contentType": item.content_type,
                            "fileName": item.file_name, "size": item.size})
    sender: dict[str, Any] = {"phoneNumber": message.from_number, "name": message.from_name}
    if message.from_location:
        sender["location"] = message.from_location
    body: dict[str, Any] = {
        "id": message.id,
        "uri": uri,
        "extensionId": str(message.owner_id),
        "type": "SMS",
        "direction": "Outbound",
        "availability": "Alive",
        "readStatus": "Read",
        "priority": "Normal",
        "messageStatus": status,
        "creationTime": message.created_iso,
        "lastModifiedTime": message.created_iso,
        "conversationId": message.id + 7_000_000_000,
        "conversation": {"id": str(message.id + 7_000_000_000),
                         "uri": f"{base}/restapi/v1.0/conversation/{message.id + 7_000_000_000}"},
        "from": sender,
        "to": [{"phoneNumber": number, "messageStatus": status} for number in message.to_numbers],
        "subject": message.text,
        "smsSendingAttemptsCount": 1,
        "attachments": attachments,
    }
    if with_error and status in ("DeliveryFailed", "SendingFailed") and message.error_code:
        body["deliveryErrorCode"] = message.error_code
    if with_error and status == "Delivered":
        body["smsDeliveryTime"] = message.created_iso
    return body


async def send_sms(request: Request) -> Response:
    return await _send(request, force_mms=False)


async def send_mms(request: Request) -> Response:
    return await _send(request, force_mms=True)


async def read_message(request: Request) -> Response:
    control = _control(request)
    account: Account = control.account
    if request.path_params["accountId"] not in ("~", str(account.id)):
        return not_found("accountId")
    owner_id: int = request.state.session.owner_id
    if request.path_params["extensionId"] not in ("~", str(owner_id)):
        return api_error(403, "CMN-404", "Attempt to access another extension")
    raw = request.path_params["messageId"]
    store: MessageStore = control.messages
    message = store.messages.get(int(raw)) if raw.isdigit() else None
    if message is None or message.owner_id != owner_id:
        return not_found("messageId")
    return JSONResponse(render_message(request, account, store, message, with_error=True))

