"""The 15 TCR campaign use cases, each with a short title and a plain description.

A campaign's `useCases` are plain strings in RingCentral's spec, so a value outside this list is
shown as it came (see `describe_use_case`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["USE_CASES", "UseCase", "describe_use_case", "use_case_titles"]


@dataclass(frozen=True, slots=True)
class UseCase:
    """One approved message category of an SMS campaign; `known` is False for unknown values."""

    code: str
    title: str
    description: str
    known: bool = True


def _catalogue(*entries: tuple[str, str, str]) -> dict[str, UseCase]:
    return {code: UseCase(code, title, description) for code, title, description in entries}


USE_CASES: dict[str, UseCase] = _catalogue(
    ("AccountNotification", "Account notices",
     "Updates about a customer's account, such as status changes or renewal reminders."),
    ("ConversationsInternal", "Staff conversations",
     "Everyday messages between people who work at your company."),
    ("ConversationsExternal", "Customer and vendor conversations",
     "Everyday back-and-forth with people outside the company, such as customers or suppliers."),
    ("CustomerCare", "Customer care",
     "Messages while helping a customer, such as support follow-ups."),
    ("DeliveryNotification", "Delivery updates",
     "Where an order or delivery is and when it will arrive."),
    ("FraudAlert", "Fraud alerts",
     "Warnings to customers about activity that looks fraudulent."),
    ("HigherEducation", "College and university notices",
     "Messages from colleges or universities, such as exam updates or campus news."),
    ("K12Education", "School notices",
     "Messages from schools to students and parents, such as announcements or schedule changes."),
    ("MachineToMachine", "One-time passcodes",
     "Automated authentication messages: sign-in codes and two-factor passcodes."),
    ("Marketing", "Marketing",
     "Promotions, discounts, special offers and other marketing content."),
    ("Mixed", "Local agents and offices",
     "A brand with many agents, franchises or offices, each needing its own local number."),
    ("PollingVoting", "Surveys and polls",
     "Customer surveys and votes that are not political."),
    ("PublicServiceAnnouncement", "Public service announcements",
     "General messages that raise public awareness."),
    ("SecurityAlert", "Security alerts",
     "Warnings about security threats, such as a suspicious sign-in or a phishing attempt."),
    ("Unknown", "Other",
     "Messages that fit none of the other categories."),
)


def describe_use_case(code: str) -> UseCase:
    """The catalogue entry for `code`, or an entry that shows an unknown value as it came."""
    known = USE_CASES.get(code)
    if known is not None:
        return known
    return UseCase(code, code, "A category RingCentral reported that this app does not know yet.", False)


def use_case_titles(codes: tuple[str, ...] | list[str]) -> str:
    """A comma-separated list of titles for a picker label, in the order RingCentral gave."""
    return ", ".join(describe_use_case(code).title for code in codes)
