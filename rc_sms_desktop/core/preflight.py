"""Pre-flight: why Send is disabled, in words, before anything reaches RingCentral.

Applies the sender's `Verdict` to what the user composed: can the number text at all, may it
send these attachments (MMS) and to these recipients (international), is the text within
RingCentral's limit. Problems with severity `error` disable Send; `warning` and `info` are shown
beside it (a LowVolume campaign's daily limit, a number libphonenumber does not know).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rc_sms_desktop.core.attachments import Attachment, check_attachments
from rc_sms_desktop.core.eligibility import (
    INTERNATIONAL,
    LINK_TCR,
    MMS,
    SMS,
    Fixer,
    Reason,
    Severity,
    State,
    Verdict,
)
from rc_sms_desktop.core.message_text import RINGCENTRAL_TEXT_LIMIT, analyse_text
from rc_sms_desktop.core.number_kinds import is_toll_free
from rc_sms_desktop.core.recipients import Recipient

HIGH_VOLUME_API_LINK = "https://developers.ringcentral.com/guide/messaging/sms/high-volume"

# Stable codes: tests, the CLI's JSON output and the compose panel key on these.
SENDER_CANNOT_SEND = "sender-cannot-send"
SENDER_CHECKING = "sender-checking"
SENDER_UNCONFIRMED = "sender-unconfirmed"
HIGH_VOLUME_ONLY = "high-volume-only"
NO_RECIPIENTS = "no-recipients"
RECIPIENT_INVALID = "recipient-invalid"
RECIPIENT_DOUBTFUL = "recipient-doubtful"
EMPTY_TEXT = "empty-text"
TEXT_TOO_LONG = "text-too-long"
NO_MMS = "no-mms"
NO_INTERNATIONAL = "no-international"
ATTACHMENT_LIMITS = "attachment-limits"
DAILY_LIMIT = "daily-limit"


@dataclass(frozen=True)
class PreflightProblem:
    """One reason the message cannot (or should be thought twice before it) go out."""

    code: str
    severity: Severity
    message: str
    fix: str = ""
    who: Fixer = Fixer.YOU
    link: str | None = None

    @property
    def blocks_sending(self) -> bool:
        return self.severity is Severity.ERROR

    def text(self) -> str:
        """Message and fix in one line, for the reason under the Send button and the CLI."""
        return f"{self.message} {self.fix}".strip()

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "fix": self.fix,
            "who": str(self.who),
            "link": self.link,
        }


def _from_reason(code: str, reason: Reason, prefix: str = "") -> PreflightProblem:
    """A problem carrying the eligibility reason's own code (`sms-not-permitted`…), so scripts
    and `send` see what to fix; `code` is the fallback when no reason says more."""
    return PreflightProblem(
        code=reason.code or code,
        severity=Severity.ERROR,
        message=prefix + reason.message,
        fix=reason.fix,
        who=reason.who,
        link=reason.link,
    )


def _reason_about(verdict: Verdict, capability: str) -> Reason | None:
    for reason in verdict.reasons:
        if capability in reason.affects and reason.severity is Severity.ERROR:
            return reason
    return None


def _sender_problems(verdict: Verdict) -> list[PreflightProblem]:
    if verdict.sms is State.READY:
        return []
    codes = {reason.code for reason in verdict.reasons}
    if verdict.sms is State.UNKNOWN:
        if "loading" in codes:
            return [
                PreflightProblem(
                    SENDER_CHECKING,
                    Severity.ERROR,
                    "Still checking this number's SMS registration.",
                    "Send becomes available as soon as the check finishes.",
                )
            ]
        # A failed check is not a broken number: let RingCentral decide, but say so.
        return [
            PreflightProblem(
                SENDER_UNCONFIRMED,
                Severity.WARNING,
                "This number's SMS registration could not be checked, so it may not be able to "
                "send.",
                "You can still try; RingCentral will refuse the message if the number cannot text.",
            )
        ]
    if HIGH_VOLUME_ONLY in codes:
        return [
            PreflightProblem(
                HIGH_VOLUME_ONLY,
                Severity.ERROR,
                "This number is enrolled in High Volume SMS (A2PSmsSender) and cannot send "
                "one-to-one texts. High Volume SMS is a separate RingCentral API for bulk "
                "messages: batches of up to 10,000 texts per request and 250,000 a day from one "
                "number, sent by an app through POST /restapi/v1.0/account/~/a2p-sms/batches, "
                "text only (no MMS, no international SMS from US numbers).",
                "Pick a number enabled for regular SMS here, or send bulk messages with an app "
                "built on the High Volume SMS API.",
                Fixer.YOU,
                HIGH_VOLUME_API_LINK,
            )
        ]
    # Every error that keeps SMS from working, root cause first, each under its own code.
    blocking = [r for r in verdict.reasons if SMS in r.affects and r.severity is Severity.ERROR]
    if not blocking:
        return [
            PreflightProblem(
                SENDER_CANNOT_SEND,
                Severity.ERROR,
                "This number cannot send SMS.",
                "Pick a number that shows as ready to send SMS.",
            )
        ]
    return [
        _from_reason(SENDER_CANNOT_SEND, reason, "This number cannot send SMS: " if i == 0 else "")
        for i, reason in enumerate(blocking)
    ]


def _mms_problem(verdict: Verdict) -> PreflightProblem:
    reason = _reason_about(verdict, MMS)
    if reason is not None:
        return _from_reason(NO_MMS, reason, "Attachments need MMS. ")
    if is_toll_free(verdict.number):
        message = "Attachments need MMS, and toll-free numbers cannot send MMS."
        who = Fixer.YOU
    else:
        message = "Attachments need MMS, and this number lacks the MmsSender feature."
        who = Fixer.ACCOUNT_ADMIN
    return PreflightProblem(
        NO_MMS, Severity.ERROR, message, "Remove the attachments or pick another number.", who
    )


def _international_problem(verdict: Verdict, international: list[Recipient]) -> PreflightProblem:
    who_list = ", ".join(
        f"{r.display or r.e164} ({r.country_name})" if r.country_name else (r.display or r.typed)
        for r in international
    )
    prefix = f"International recipient{'s' if len(international) > 1 else ''}: {who_list}. "
    reason = _reason_about(verdict, INTERNATIONAL)
    if reason is not None:
        return _from_reason(NO_INTERNATIONAL, reason, prefix)
    if is_toll_free(verdict.number):
        return PreflightProblem(
            NO_INTERNATIONAL,
            Severity.ERROR,
            prefix + "RingCentral refuses international SMS from toll-free numbers (MSG-403).",
            "Text them from a local number that has international SMS.",
        )
    return PreflightProblem(
        NO_INTERNATIONAL,
        Severity.ERROR,
        prefix + "This number lacks the InternationalSmsSender feature.",
        "Remove them, pick another number, or ask an account admin to enable international SMS.",
        Fixer.ACCOUNT_ADMIN,
    )


def preflight(
    verdict: Verdict,
    recipients: Sequence[Recipient],
    text: str,
    attachments: Sequence[Attachment] = (),
) -> list[PreflightProblem]:
    """Every problem with sending `text` (and `attachments`) to `recipients` from this sender.

    Blocking problems come first, in the order the user is best served fixing them: the sender,
    then recipients, then content.
    """
    problems = _sender_problems(verdict)
    sender_blocked = any(problem.blocks_sending for problem in problems)

    if not recipients:
        problems.append(
            PreflightProblem(NO_RECIPIENTS, Severity.ERROR, "Add at least one recipient.")
        )
    for recipient in recipients:
        if recipient.problem:
            problems.append(PreflightProblem(RECIPIENT_INVALID, Severity.ERROR, recipient.problem))
        elif recipient.warning:
            problems.append(
                PreflightProblem(RECIPIENT_DOUBTFUL, Severity.WARNING, recipient.warning)
            )

    international = [r for r in recipients if r.ok and r.international]
    if international and not sender_blocked and verdict.international is not State.READY:
        problem = _international_problem(verdict, international)
        if verdict.international is State.UNKNOWN:
            problem = PreflightProblem(
                problem.code, Severity.WARNING, problem.message, problem.fix, problem.who
            )
        problems.append(problem)

    if attachments and not sender_blocked and verdict.mms is not State.READY:
        problem = _mms_problem(verdict)
        if verdict.mms is State.UNKNOWN:
            problem = PreflightProblem(
                problem.code, Severity.WARNING, problem.message, problem.fix, problem.who
            )
        problems.append(problem)

    if not text.strip() and not attachments:
        problems.append(PreflightProblem(EMPTY_TEXT, Severity.ERROR, "Write a message."))
    stats = analyse_text(text)
    if stats.too_long:
        problems.append(
            PreflightProblem(
                TEXT_TOO_LONG,
                Severity.ERROR,
                f"The message is {stats.utf16_units:,} characters long; RingCentral accepts at "
                f"most {RINGCENTRAL_TEXT_LIMIT:,} (emoji and other characters outside the basic "
                "set count as 2).",
                f"Shorten it by {-stats.remaining:,}.",
            )
        )
    check = check_attachments(attachments)
    for text_problem in check.problems:
        problems.append(PreflightProblem(ATTACHMENT_LIMITS, Severity.ERROR, text_problem))

    if verdict.daily_limit is not None and not sender_blocked:
        problems.append(
            PreflightProblem(
                DAILY_LIMIT,
                Severity.INFO,
                f"Low-volume campaign: at most {verdict.daily_limit:,} messages a day to US "
                "mobile carriers, across all the numbers linked to this number's campaign.",
                "If you need more, an account admin can register a standard-volume campaign.",
                Fixer.ACCOUNT_ADMIN,
                LINK_TCR,
            )
        )

    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(problems, key=lambda problem: rank[problem.severity])


def blocking_reason(problems: Sequence[PreflightProblem]) -> PreflightProblem | None:
    """The first problem that disables Send, or None when the message may go."""
    return next((problem for problem in problems if problem.blocks_sending), None)
