"""Send one SMS or MMS from the picked number and follow it until RingCentral settles its status.

`send_message` posts `POST …/extension/~/sms` (JSON) or, with attachments, `POST …/extension/~/mms`
(multipart/form-data: a JSON `request` part, then one part per file). Both are in RingCentral's
Medium rate-limit group, which the client's scheduler enforces; a throttled send is not retried
silently (the user decides). A refusal becomes `SendRefused` carrying the plain explanation.

RingCentral accepting a message only means it was queued: "Delivery status should always be
verified through the message record" (readMessage; https://developers.ringcentral.com/guide/messaging/sms/sms-errors). `follow_status` polls `GET …/message-store/{id}`
with growing pauses and a deadline, yielding each change of `messageStatus` (Queued, Sent,
Delivered, DeliveryFailed, SendingFailed) with the `deliveryErrorCode` explained.

No Qt here: the compose panel and `rc-sms-desktop send` share this module.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from rc_sms_desktop.api import endpoints
from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.errors import (
    ApiError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    explain,
)
from rc_sms_desktop.core.attachments import Attachment
from rc_sms_desktop.core.eligibility import (
    ConfigState,
    Fixer,
    Verdict,
    evaluate,
    needs_configuration,
)
from rc_sms_desktop.core.error_codes import ErrorExplanation, explain_error
from rc_sms_desktop.core.models import (
    SmsConfiguration,
    parse_extension,
    parse_phone_number,
    parse_sms_configuration,
    record_id,
)
from rc_sms_desktop.core.recipients import Recipient

log = logging.getLogger(__name__)


QUEUED: Final = "Queued"
SENT: Final = "Sent"
DELIVERED: Final = "Delivered"
DELIVERY_FAILED: Final = "DeliveryFailed"
SENDING_FAILED: Final = "SendingFailed"
SETTLED_STATUSES: Final = frozenset({DELIVERED, DELIVERY_FAILED, SENDING_FAILED})
FAILED_STATUSES: Final = frozenset({DELIVERY_FAILED, SENDING_FAILED})

_STATUS_WORDS: Final = {
    QUEUED: "Queued at RingCentral",
    SENT: "Sent to the carrier, waiting for a delivery report",
    DELIVERED: "Delivered",
    DELIVERY_FAILED: "Delivery failed",
    SENDING_FAILED: "Sending failed",
}


def status_words(status: str) -> str:
    """A `messageStatus` in words; unknown values are shown as they came."""
    return _STATUS_WORDS.get(status, status or "Unknown status")


class SendRefused(Exception):
    """RingCentral (or the network) refused the send: nothing was queued for delivery."""

    def __init__(self, explanation: ErrorExplanation, api_error: ApiError | None = None) -> None:
        super().__init__(explanation.text())
        self.explanation = explanation
        self.api_error = api_error


@dataclass(frozen=True)
class SentMessage:
    """A message RingCentral accepted: its id (to follow it) and the status it started with."""

    id: str
    status: str
    kind: str
    """`SMS` or `MMS`."""
    sender: str
    recipients: tuple[str, ...]
    raw: object = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class StatusUpdate:
    """One observed state of a sent message while it is followed."""

    message_id: str
    status: str
    error: ErrorExplanation | None = None
    """The explained `deliveryErrorCode`, or why we stopped following."""
    settled: bool = False
    """True when the status is final (Delivered, DeliveryFailed, SendingFailed)."""
    gave_up: bool = False
    """True when we stopped before the status settled (deadline, lost access)."""

    @property
    def delivered(self) -> bool:
        return self.status == DELIVERED

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    def text(self) -> str:
        """The status line: words, then the explanation when there is one."""
        words = status_words(self.status)
        if self.gave_up and not self.settled:
            words += " (no final status yet)"
        return f"{words}. {self.error.text()}" if self.error else f"{words}."


def _phone(recipient: Recipient | str) -> str:
    if isinstance(recipient, Recipient):
        return recipient.e164 or recipient.typed.strip()
    return recipient.strip()


def _read_files(attachments: Sequence[Attachment]) -> list[tuple[str, tuple[str, bytes, str]]]:
    parts: list[tuple[str, tuple[str, bytes, str]]] = []
    for attachment in attachments:
        content = Path(attachment.path).read_bytes()
        media_type = attachment.media_type or "application/octet-stream"
        parts.append(("attachment", (attachment.name, content, media_type)))
    return parts


def _status_of(body: object) -> str:
    if isinstance(body, dict):
        value = body.get("messageStatus")
        if isinstance(value, str):
            return value
    return ""


def _delivery_error(body: object) -> str | None:
    """`deliveryErrorCode` of the record, or of the first recipient that has one."""
    if not isinstance(body, dict):
        return None
    code = body.get("deliveryErrorCode")
    if isinstance(code, str) and code:
        return code
    to = body.get("to")
    if isinstance(to, list):
        for item in to:
            if isinstance(item, dict):
                code = item.get("deliveryErrorCode") or item.get("errorCode")
                if isinstance(code, str) and code:
                    return code
    return None


async def send_message(
    client: RingCentralClient,
    sender: str,
    recipients: Sequence[Recipient | str],
    text: str,
    attachments: Sequence[Attachment] = (),
) -> SentMessage:
    """Send `text` (and `attachments`, as MMS) from `sender` to `recipients`.

    Raises `SendRefused` with the explained RingCentral code when the send is refused, or when a
    file cannot be read (nothing is sent then). Pre-flight is the caller's job.
    """
    to = [_phone(recipient) for recipient in recipients]
    body: dict[str, Any] = {
        "from": {"phoneNumber": sender},
        "to": [{"phoneNumber": number} for number in to],
    }
    if text or not attachments:
        body["text"] = text
    kind = "MMS" if attachments else "SMS"
    try:
        if attachments:
            try:
                files = await asyncio.to_thread(_read_files, attachments)
            except OSError as exc:
                raise SendRefused(
                    ErrorExplanation(
                        code="attachment-unreadable",
                        message=f"An attachment could not be read ({exc.strerror or exc}).",
                        who=Fixer.YOU,
                        fix="Check the file still exists and is readable, then send again.",
                        kind="send",
                        known=True,
                    )
                ) from None
            request_part = ("request.json", json.dumps(body).encode(), "application/json")
            answer = await client.post_json(endpoints.MMS, files=[("request", request_part), *files])
        else:
            answer = await client.post_json(endpoints.SMS, body)
    except ApiError as error:
        raise SendRefused(explain(error), error) from None
    message_id = record_id(answer) or ""
    status = _status_of(answer) or QUEUED
    log.info("%s accepted by RingCentral: id %s, status %s", kind, message_id or "?", status)
    return SentMessage(message_id, status, kind, sender, tuple(to), answer)


Sleep = Callable[[float], Awaitable[object]]


async def follow_status(
    client: RingCentralClient,
    sent: SentMessage,
    *,
    deadline: float = 180.0,
    first_delay: float = 1.0,
    max_delay: float = 15.0,
    factor: float = 2.0,
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[StatusUpdate]:
    """Yield the message's status each time it changes, until it settles or `deadline` passes.

    The first update is the status the send returned. Transient failures of the status check
    (network, 5xx, not yet in the message store, throttling) are retried within the deadline;
    losing access ends the follow with an update that says why.
    """
    if not sent.id:
        yield StatusUpdate(
            "",
            sent.status,
            ErrorExplanation(
                code="no-message-id",
                message="RingCentral accepted the message but returned no id to follow it by.",
                who=Fixer.YOU,
                fix="Check the conversation in the RingCentral app to see whether it arrived.",
                kind="delivery",
                known=True,
            ),
            settled=sent.status in SETTLED_STATUSES,
            gave_up=True,
        )
        return
    current = _update(sent.id, sent.raw, sent.status)
    yield current
    if current.settled:
        return
    started = clock()
    delay = first_delay
    path = endpoints.message(sent.id)
    while True:
        remaining = deadline - (clock() - started)
        if remaining <= 0:
            yield StatusUpdate(sent.id, current.status, current.error, gave_up=True)
            return
        await sleep(min(delay, remaining))
        delay = min(delay * factor, max_delay)
        try:
            record = await client.get_json(path)
        except RateLimitedError as error:
            # The client already waited out what it could; wait the rest if the deadline allows.
            if error.retry_after:
                delay = max(delay, min(error.retry_after, max_delay * 4))
            continue
        except (NetworkError, ServerError, NotFoundError) as error:
            # Not in the store yet, or a passing failure: keep trying until the deadline.
            log.info("Status check for message %s failed (%s); retrying", sent.id, error)
            continue
        except ApiError as error:
            yield StatusUpdate(sent.id, current.status, explain(error), gave_up=True)
            return
        update = _update(sent.id, record, _status_of(record) or current.status)
        if update != current:
            current = update
            yield current
        if current.settled:
            return


def _update(message_id: str, record: object, status: str) -> StatusUpdate:
    code = _delivery_error(record)
    error = explain_error(code) if code else None
    if error is None and status in FAILED_STATUSES:
        error = explain_error(None, f"RingCentral reported {status} without an error code.")
    return StatusUpdate(message_id, status, error, settled=status in SETTLED_STATUSES)


async def send_and_follow(
    client: RingCentralClient,
    sender: str,
    recipients: Sequence[Recipient | str],
    text: str,
    attachments: Sequence[Attachment] = (),
    **follow_options: Any,
) -> AsyncIterator[StatusUpdate]:
    """`send_message`, then `follow_status`: every update from acceptance to the final status."""
    sent = await send_message(client, sender, recipients, text, attachments)
    async for update in follow_status(client, sent, **follow_options):
        yield update


async def find_sender(client: RingCentralClient, phone_number: str) -> Verdict | None:
    """The verdict for one of the signed-in user's numbers (None when it is not theirs).

    For the command line, which has no picker: lists the user's numbers, and reads the SMS
    configuration only when it can change the verdict. A failed configuration read leaves the
    verdict `unknown` (pre-flight warns, RingCentral decides), as in the window.
    """
    # The user's own serviceFeatures (may their role text at all?): not a refusal when unread.
    user = None
    try:
        user = parse_extension(await client.get_json(endpoints.MY_EXTENSION)).service_features
    except ApiError as error:
        log.info("Could not read the signed-in extension: %s", error)
    listing = await client.get_all(endpoints.MY_NUMBERS)
    for raw in listing.records:
        number = parse_phone_number(raw)
        if number.phone_number != phone_number:
            continue
        if not needs_configuration(number):
            return evaluate(number, None, config_state=ConfigState.NOT_NEEDED, user=user)
        config: SmsConfiguration | None = None
        try:
            config = parse_sms_configuration(
                await client.get_json(endpoints.sms_configuration(number.id))
            )
        except ApiError as error:
            log.info("SMS configuration of %s unavailable: %s", phone_number, error)
            return evaluate(number, None, config_state=ConfigState.FAILED, user=user)
        return evaluate(number, config, config_state=ConfigState.LOADED, user=user)
    return None
