"""RingCentral error and delivery codes in plain language, with who can fix them and how.

Sources: RingCentral's error catalogue (https://developers.ringcentral.com/guide/basics/errors),
the SMS delivery error list (https://developers.ringcentral.com/guide/messaging/sms/sms-errors),
the 1.0.38 changelog (https://developers.ringcentral.com/guide/basics/changelog/1_0_38: MSG-403)
and MSG-246 as integrators observed it. RingCentral's own `message` is localised and may change, so the code is the key;
a code not listed here is shown raw together with RingCentral's message, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rc_sms_desktop.core.eligibility import Fixer

YOU: Final = Fixer.YOU
ADMIN: Final = Fixer.ACCOUNT_ADMIN
SUPPORT: Final = Fixer.RINGCENTRAL_SUPPORT

# Kinds of code: where in the journey it arises, so the UI can word its headline.
SEND: Final = "send"
DELIVERY: Final = "delivery"
RATE_LIMIT: Final = "rate-limit"
AUTH: Final = "auth"
GENERAL: Final = "general"
UNKNOWN: Final = "unknown"


@dataclass(frozen=True)
class ErrorExplanation:
    """A RingCentral code explained: what happened, who can fix it, and what to do."""

    code: str
    """The code as RingCentral sent it (trimmed), e.g. `MSG-242` or `SMS-CAR-461`."""
    message: str
    """What happened, in plain words."""
    who: Fixer
    fix: str
    """What to do about it."""
    kind: str
    """`send`, `delivery`, `rate-limit`, `auth`, `general` or `unknown`."""
    known: bool
    """False when the code is not in the catalogue and `message` is RingCentral's own text."""
    retry_later: bool = False
    """Whether sending the same thing again later may succeed without anyone changing anything."""
    server_message: str | None = None
    """RingCentral's message, kept as a detail (it may name the parameter or permission)."""

    def text(self) -> str:
        """One paragraph for a status line or the terminal."""
        detail = (
            f" RingCentral said: “{self.server_message}”." if self._show_server_message() else ""
        )
        return f"{self.message} ({self.code}){detail} {self.fix} Who can fix it: {self.who}."

    def _show_server_message(self) -> bool:
        return bool(self.server_message) and self.server_message != self.message

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "who": str(self.who),
            "fix": self.fix,
            "kind": self.kind,
            "known": self.known,
            "retryLater": self.retry_later,
            "serverMessage": self.server_message,
        }


@dataclass(frozen=True)
class _Entry:
    message: str
    who: Fixer
    fix: str
    kind: str
    retry_later: bool = False


_PICK_ANOTHER = "pick another number that shows as ready to send SMS."
_STOP = (
    "Do not send to them again from this number: only the recipient can opt back in, by "
    "replying START."
)
_WAIT = "Wait a minute, then send again."

CATALOGUE: Final[dict[str, _Entry]] = {
    # --- Refused when sending (POST .../sms or .../mms) -----------------------------------------
    "MSG-240": _Entry(
        "This number may text only US phone numbers, and the recipient is not one.",
        ADMIN,
        "Send to a US number, or ask your account admin to enable international SMS for this number.",
        SEND,
    ),
    "MSG-241": _Entry(
        "A fax number cannot send text messages.", YOU, _PICK_ANOTHER.capitalize(), SEND
    ),
    "MSG-242": _Entry(
        "This number is not enabled to send SMS (it lacks the SmsSender feature).",
        ADMIN,
        "Ask your account admin to register the number for texting (a TCR campaign, or toll-free "
        "verification) and assign its SMS feature to you. Meanwhile, " + _PICK_ANOTHER,
        SEND,
    ),
    "MSG-243": _Entry(
        "RingCentral reports this phone number as blocked.",
        ADMIN,
        "Ask your account admin to check the account's blocked numbers; if it is not listed "
        "there, RingCentral support can say why it is blocked.",
        SEND,
    ),
    "MSG-245": _Entry(
        "RingCentral cannot find this sender number among your numbers.",
        YOU,
        "Reload your numbers and pick one assigned to you; if it was just moved to you, ask your "
        "account admin to check the assignment.",
        SEND,
    ),
    "MSG-246": _Entry(
        "Texts cannot be sent from or to extension numbers.",
        YOU,
        "Use full phone numbers with the area or country code, e.g. +1 650 555 0123.",
        SEND,
    ),
    "MSG-290": _Entry(
        "Sending to this recipient failed for now.",
        YOU,
        "Try again in a few minutes.",
        SEND,
        retry_later=True,
    ),
    "MSG-304": _Entry(
        "This number does not belong to your extension.",
        ADMIN,
        "Send from a number assigned to you, or ask your account admin to assign this number's "
        "SMS feature to your extension (a shared number texts only through its one assigned "
        "extension).",
        SEND,
    ),
    "MSG-305": _Entry(
        "Too many messages too quickly: RingCentral allows about 40 sends a minute.",
        YOU,
        _WAIT,
        RATE_LIMIT,
        retry_later=True,
    ),
    "MSG-309": _Entry(
        "A fax number cannot receive text messages.", YOU, "Send to a mobile number.", SEND
    ),
    "MSG-310": _Entry(
        "This phone number is not assigned to anyone.",
        ADMIN,
        "Ask your account admin to assign the number to your extension. Meanwhile: "
        + _PICK_ANOTHER,
        SEND,
    ),
    "MSG-314": _Entry(
        "Your kind of extension cannot send text messages.",
        ADMIN,
        "Text from a user extension; your account admin can change the extension type or give "
        "you a number on a user extension.",
        SEND,
    ),
    "MSG-316": _Entry(
        "The department has no members to send as.",
        ADMIN,
        "Ask your account admin to add members to the department.",
        SEND,
    ),
    "MSG-324": _Entry(
        "The recipient extension cannot receive messages in its current state.",
        ADMIN,
        "Ask your account admin to check that the recipient's extension is enabled.",
        SEND,
    ),
    "MSG-325": _Entry(
        "Replies to this old conversation are no longer allowed.",
        YOU,
        "Start a new message instead of replying.",
        SEND,
    ),
    "MSG-326": _Entry(
        "You are no longer part of this conversation, so you cannot reply to it.",
        YOU,
        "Start a new message instead of replying.",
        SEND,
    ),
    "MSG-330": _Entry(
        "Texts cannot be sent as a department (call queue).",
        YOU,
        "Send from your own direct number, or ask your account admin to assign the department "
        "number's SMS feature to your extension.",
        SEND,
    ),
    "MSG-331": _Entry(
        "The sender does not match the extension you signed in as.",
        YOU,
        "Sign in as the user the number belongs to, then send again.",
        SEND,
    ),
    "MSG-337": _Entry(
        "The attachments are too large: RingCentral accepts 1.5 MB in all per message.",
        YOU,
        "Remove attachments or send smaller files.",
        SEND,
    ),
    "MSG-338": _Entry(
        "The message is too large.",
        YOU,
        "Shorten the text (at most 1,000 characters) or remove attachments.",
        SEND,
    ),
    "MSG-347": _Entry(
        "An attachment is empty.", YOU, "Remove the empty file or attach the right one.", SEND
    ),
    "MSG-348": _Entry(
        "An attachment is of a type RingCentral cannot send by MMS.",
        YOU,
        "Attach images, video, audio, vCards, PDFs or plain-text files instead.",
        SEND,
    ),
    "MSG-403": _Entry(
        "International texts cannot be sent from a toll-free number.",
        YOU,
        "Send from a local number that has international SMS enabled.",
        SEND,
    ),
    # --- General API codes ---------------------------------------------------------------------
    "CMN-101": _Entry(
        "RingCentral did not accept a value in the request (often a phone number's format).",
        YOU,
        "Check the numbers and the text; RingCentral's message names the value it refused.",
        GENERAL,
    ),
    "CMN-102": _Entry(
        "RingCentral could not find something the request refers to.",
        YOU,
        "Reload your numbers and try again; the number or extension may have been removed.",
        GENERAL,
    ),
    "CMN-109": _Entry(
        "This feature is not available on your account or number (often: texting is not in the "
        "service plan).",
        ADMIN,
        "Ask your account admin to check the service plan; RingCentral support can add the feature.",
        GENERAL,
    ),
    "CMN-401": _Entry(
        "This app lacks the RingCentral permission needed (for texting: the SMS scope).",
        ADMIN,
        "Ask your account admin to approve the app with the SMS permission, then sign in again.",
        AUTH,
    ),
    "CMN-402": _Entry(
        "This needs administrator rights.",
        ADMIN,
        "Ask an account admin to do it, or to give you an admin role.",
        AUTH,
    ),
    "CMN-403": _Entry(
        "This feature is not available for your kind of extension.",
        ADMIN,
        "Ask your account admin: texting needs a user extension with a texting-enabled number.",
        GENERAL,
    ),
    "CMN-404": _Entry(
        "The request tried to act for another extension.",
        YOU,
        "Sign in as the user whose number you want to text from.",
        AUTH,
    ),
    "CMN-405": _Entry(
        "You need to be signed in to an extension for this.",
        YOU,
        "Sign in as a user (not only as the company account).",
        AUTH,
    ),
    "CMN-408": _Entry(
        "Your user role lacks a permission this needs (for texting: “Outbound SMS”).",
        ADMIN,
        "Ask your account admin to add the permission RingCentral names to your role.",
        AUTH,
    ),
    # --- Rate limits (429) -------------------------------------------------------------------------
    "CMN-301": _Entry(
        "Too many requests in a short time.", YOU, _WAIT, RATE_LIMIT, retry_later=True
    ),
    "CMN-302": _Entry(
        "Too many requests in a short time.", YOU, _WAIT, RATE_LIMIT, retry_later=True
    ),
    "CMN-303": _Entry(
        "RingCentral could not find this app's API usage plan, so it refuses every request.",
        SUPPORT,
        "The app's developer must ask RingCentral support to check the app's rate-limit plan.",
        RATE_LIMIT,
    ),
    "CMN-304": _Entry(
        "The same request is already in progress.",
        YOU,
        "Wait a few seconds and try again.",
        RATE_LIMIT,
        retry_later=True,
    ),
    "CMN-310": _Entry(
        "RingCentral is limiting requests from your network as a whole.",
        YOU,
        "Wait a few minutes; if others on your network use RingCentral apps heavily, try later.",
        RATE_LIMIT,
        retry_later=True,
    ),
    # --- OAuth (sign-in) -----------------------------------------------------------------------
    "invalid_grant": _Entry(
        "RingCentral refused the sign-in: the code, JWT or saved session has expired, was "
        "already used, or was revoked.",
        YOU,
        "Sign in again. If you use a JWT, ask your admin whether it was revoked.",
        AUTH,
    ),
    "invalid_client": _Entry(
        "RingCentral does not recognise this app's credentials (client ID or secret).",
        ADMIN,
        "Whoever registered the app must check its client ID and secret in the Developer Console.",
        AUTH,
    ),
    "unauthorized_client": _Entry(
        "This app is not allowed to sign in this way.",
        ADMIN,
        "Whoever registered the app must enable this sign-in method (auth code with PKCE, or "
        "JWT) in the Developer Console.",
        AUTH,
    ),
    "invalid_request": _Entry(
        "RingCentral rejected the sign-in request as malformed.",
        SUPPORT,
        "Try again; if it persists, report it with the code.",
        AUTH,
    ),
    "invalid_scope": _Entry(
        "The app asked for permissions it is not registered for.",
        ADMIN,
        "Whoever registered the app must add the ReadAccounts and SMS scopes.",
        AUTH,
    ),
    "unsupported_grant_type": _Entry(
        "This app's registration does not allow this kind of sign-in.",
        ADMIN,
        "Whoever registered the app must enable the grant type in the Developer Console.",
        AUTH,
    ),
    "access_denied": _Entry(
        "Sign-in was cancelled or refused on RingCentral's page.",
        YOU,
        "Start the sign-in again and approve the app.",
        AUTH,
    ),
    "expired_token": _Entry("The sign-in has expired.", YOU, "Sign in again.", AUTH),
    "insufficient_scope": _Entry(
        "The sign-in does not include the permission this needs.",
        ADMIN,
        "Whoever registered the app must add the scope (e.g. SMS); then sign in again.",
        AUTH,
    ),
    "OAU-109": _Entry(
        "The redirect address does not match the one registered for the app.",
        ADMIN,
        "Whoever registered the app must add this app's loopback redirect address "
        "(http://127.0.0.1:PORT/…) in the Developer Console.",
        AUTH,
    ),
    # --- Delivery: RingCentral (SMS-RC-) -------------------------------------------------------------
    "SMS-RC-403": _Entry(
        "Not sent: the account exceeded its daily or monthly texting limit.",
        SUPPORT,
        "Wait for the limit to reset; RingCentral support can tell you the limit and raise it.",
        DELIVERY,
        retry_later=True,
    ),
    "SMS-RC-410": _Entry(
        "RingCentral does not deliver texts to this destination.",
        YOU,
        "Check the number; some countries and number types (landlines) cannot receive texts.",
        DELIVERY,
    ),
    "SMS-RC-413": _Entry(
        "The recipient has opted out of texts from this number.", YOU, _STOP, DELIVERY
    ),
    "SMS-RC-430": _Entry(
        "RingCentral's spam filter stopped the message.",
        YOU,
        "Reword it to match what your number's campaign is registered for, without shortened "
        "links.",
        DELIVERY,
    ),
    "SMS-RC-500": _Entry(
        "RingCentral had an internal error delivering the message.",
        SUPPORT,
        "Try again later; if it keeps failing, contact RingCentral support with the code.",
        DELIVERY,
        retry_later=True,
    ),
    "SMS-RC-501": _Entry(
        "RingCentral made an invalid call to its delivery partner.",
        SUPPORT,
        "Contact RingCentral support with the code.",
        DELIVERY,
    ),
    "SMS-RC-503": _Entry(
        "The number is set up wrongly by RingCentral with its delivery partner.",
        SUPPORT,
        "Contact RingCentral support: only they can fix the number's provisioning.",
        DELIVERY,
    ),
    "SMS-RC-504": _Entry(
        "RingCentral's SMS provider configuration is invalid for this number.",
        SUPPORT,
        "Contact RingCentral support with the code.",
        DELIVERY,
    ),
    # --- Delivery: upstream provider (SMS-UP-) --------------------------------------------------------
    "SMS-UP-410": _Entry(
        "The delivery partner says the destination number is invalid.",
        YOU,
        "Check the recipient's number.",
        DELIVERY,
    ),
    "SMS-UP-413": _Entry(
        "The recipient has opted out of texts from this number.", YOU, _STOP, DELIVERY
    ),
    "SMS-UP-414": _Entry(
        "This number is not set up to send text messages yet (its registration is not complete, "
        "e.g. its campaign is not confirmed).",
        ADMIN,
        "Ask your account admin to finish the number's TCR campaign (or toll-free verification). "
        "Meanwhile, " + _PICK_ANOTHER,
        DELIVERY,
    ),
    "SMS-UP-430": _Entry(
        "The delivery partner's spam filter stopped the message.",
        YOU,
        "Reword it to match your campaign's registered use, without shortened links.",
        DELIVERY,
    ),
    "SMS-UP-431": _Entry(
        "This number has been flagged for spam and can no longer send texts.",
        SUPPORT,
        "Contact RingCentral support to review the number.",
        DELIVERY,
    ),
    "SMS-UP-432": _Entry("The message is too long to deliver.", YOU, "Shorten the text.", DELIVERY),
    "SMS-UP-433": _Entry(
        "The message could not be delivered as written.",
        YOU,
        "Remove unusual characters or formatting and send again.",
        DELIVERY,
    ),
    "SMS-UP-500": _Entry(
        "The delivery partner had an error.",
        SUPPORT,
        "Try again later; if it keeps failing, contact RingCentral support.",
        DELIVERY,
        retry_later=True,
    ),
    # --- Delivery: recipient's carrier (SMS-CAR-) -----------------------------------------------------
    "SMS-CAR-104": _Entry(
        "The recipient's carrier reported no delivery status; the text may or may not have arrived.",
        YOU,
        "Check with the recipient if it matters.",
        DELIVERY,
    ),
    "SMS-CAR-199": _Entry(
        "The recipient's carrier reported an unknown status.",
        YOU,
        "Check with the recipient if it matters.",
        DELIVERY,
    ),
    "SMS-CAR-400": _Entry(
        "The recipient's number cannot receive text messages (e.g. a landline).",
        YOU,
        "Text a mobile number instead.",
        DELIVERY,
    ),
    "SMS-CAR-410": _Entry(
        "The message expired before the recipient's phone could be reached.",
        YOU,
        "Try again later, when the phone is on and has signal.",
        DELIVERY,
        retry_later=True,
    ),
    "SMS-CAR-411": _Entry(
        "The recipient's carrier says the number is invalid.", YOU, "Check the number.", DELIVERY
    ),
    "SMS-CAR-412": _Entry(
        "The recipient is unavailable (phone off, out of service or suspended).",
        YOU,
        "Try again later.",
        DELIVERY,
        retry_later=True,
    ),
    "SMS-CAR-413": _Entry(
        "The recipient has opted out of texts from this number (at their carrier).",
        YOU,
        _STOP,
        DELIVERY,
    ),
    "SMS-CAR-414": _Entry(
        "The carrier says this number is not set up to send text messages.",
        ADMIN,
        "Ask your account admin to check the number's registration (TCR campaign or toll-free "
        "verification). Meanwhile, " + _PICK_ANOTHER,
        DELIVERY,
    ),
    "SMS-CAR-430": _Entry(
        "The recipient's carrier flagged the message as spam.",
        YOU,
        "Check the text against what your company's TCR registration says this number is for.",
        DELIVERY,
    ),
    "SMS-CAR-431": _Entry(
        "The recipient's carrier rejected the message without a reason.",
        SUPPORT,
        "If it keeps happening, contact RingCentral support with the code.",
        DELIVERY,
    ),
    "SMS-CAR-432": _Entry(
        "The recipient's carrier says the message is too long.", YOU, "Shorten the text.", DELIVERY
    ),
    "SMS-CAR-433": _Entry(
        "The recipient's carrier says the message is malformed.",
        YOU,
        "Remove unusual characters and send again.",
        DELIVERY,
    ),
    "SMS-CAR-434": _Entry(
        "The attachment is too large for the recipient's carrier.",
        YOU,
        "Send a smaller file (a few hundred KB is safest).",
        DELIVERY,
    ),
    "SMS-CAR-435": _Entry(
        "Carriers block messages with shortened links.",
        YOU,
        "Use the full link instead of a URL shortener.",
        DELIVERY,
    ),
    "SMS-CAR-450": _Entry(
        "T-Mobile's daily limit for your company's 10DLC brand is used up.",
        ADMIN,
        "Wait until tomorrow; the limit depends on the brand's TCR vetting score, which your "
        "account admin can ask to improve.",
        DELIVERY,
        retry_later=True,
    ),
    "SMS-CAR-451": _Entry(
        "AT&T's daily limit for this number's 10DLC campaign is used up.",
        ADMIN,
        "Wait until tomorrow; your account admin can ask about the campaign's AT&T allowance.",
        DELIVERY,
        retry_later=True,
    ),
    "SMS-CAR-452": _Entry(
        "The number has sent more than its allotted limit.",
        ADMIN,
        "Wait for the limit to reset; your account admin can review the number's registration.",
        DELIVERY,
        retry_later=True,
    ),
    "SMS-CAR-460": _Entry(
        "The carrier reported a short-code error (short codes are not used by RingCentral).",
        SUPPORT,
        "Contact RingCentral support with the code.",
        DELIVERY,
    ),
    "SMS-CAR-461": _Entry(
        "Carriers block this toll-free number because it is not verified.",
        ADMIN,
        "Ask your account admin to complete toll-free verification for the number. Meanwhile, "
        + _PICK_ANOTHER,
        DELIVERY,
    ),
    "SMS-CAR-500": _Entry(
        "The recipient's carrier failed to deliver the message.",
        YOU,
        "Try again later.",
        DELIVERY,
        retry_later=True,
    ),
}

# Older responses carry English top-level codes; they mean the documented ones.
_LEGACY_ALIASES: Final = {"InvalidParameter": "CMN-101", "FeatureNotAvailable": "CMN-109"}
_CASE_INSENSITIVE: Final = {key.upper(): key for key in CATALOGUE}


def _lookup(code: str) -> str | None:
    """The catalogue key for `code`, tolerating case and legacy names."""
    if code in CATALOGUE:
        return code
    if code in _LEGACY_ALIASES:
        return _LEGACY_ALIASES[code]
    return _CASE_INSENSITIVE.get(code.upper())


def explain_error(code: str | None, server_message: str | None = None) -> ErrorExplanation:
    """Explain any RingCentral code; unknown (or missing) codes come back raw with RingCentral's text."""
    shown = (code or "").strip()
    message = (
        server_message.strip()
        if isinstance(server_message, str) and server_message.strip()
        else None
    )
    key = _lookup(shown) if shown else None
    if key is None:
        return ErrorExplanation(
            code=shown or "no code",
            message=message
            or (f"RingCentral returned {shown}." if shown else "RingCentral gave no error code."),
            who=SUPPORT,
            fix="If it persists, contact RingCentral support and quote the code and message.",
            kind=UNKNOWN,
            known=False,
            server_message=message,
        )
    entry = CATALOGUE[key]
    return ErrorExplanation(
        code=key,
        message=entry.message,
        who=entry.who,
        fix=entry.fix,
        kind=entry.kind,
        known=True,
        retry_later=entry.retry_later,
        server_message=message,
    )


def describe_error_code(code: str) -> ErrorExplanation | None:
    """The explanation of a catalogued code, or None (for callers with their own fallback)."""
    return explain_error(code) if _lookup(code.strip()) else None
