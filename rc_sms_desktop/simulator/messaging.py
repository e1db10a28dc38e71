"""Sending SMS/MMS and reading message records (issue #7), answered from the sender's real state."""

from __future__ import annotations

from dataclasses import dataclass

from rc_sms_desktop.simulator.clock import SimulatorClock


@dataclass(slots=True)
class SentMessage:
    """One outbound message and how it will end."""

    id: int
    owner_id: int
    created_at: float  # clock.monotonic() at send
    created_iso: str
    from_number: str
    to_numbers: tuple[str, ...]
    text: str
    kind: str  # "SMS" or MMS sent as "SMS" type with attachments
    attachments: tuple[tuple[str, str, int], ...]  # (file name, content type, size)
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
