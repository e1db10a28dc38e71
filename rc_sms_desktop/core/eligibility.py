"""Can this number send SMS, MMS, international SMS, High Volume SMS, and if not, why and who fixes it.

The rules come from RingCentral's SMS guide (spec/sms-enablement-guide.md) and API facts:
- the number's `features` decide wherever they can (`SmsSender`, `MmsSender`,
  `InternationalSmsSender`, `A2PSmsSender`); no `SmsSender` means no SMS, whatever else is true;
- a local US/Canadian number also needs a TCR campaign whose status is `Confirmed` (anything
  else makes outbound SMS fail); a toll-free number needs toll-free verification instead, which no
  API reports, so its features are all there is to go on;
- toll-free numbers never send MMS, and international SMS from them is refused (MSG-403);
- a shared number (company, call queue, IVR, site) gives its SMS features to one extension only;
- the signed-in user's role must allow SMS, MMS and international SMS (`readExtension`'s
  `serviceFeatures`; RingCentral returns them only for the user's own extension, so their absence
  is not a refusal);
- a High Volume (`A2PSmsSender`) number is offered only in the US and Canada, and a local one is a
  10DLC number like any other: it needs a `Confirmed` campaign too.

Reasons are ordered root cause first (the number itself, the user's permission, the number's
features, who holds its SMS, the brand, the campaign, then limits and notes), so the first error
is what to fix first; every view reads `Verdict.main_reason`. Every verdict also carries the
checklist (`CheckItem`s with stable ids) that the detail pane, `explain` and `check` show: it is
built from the same facts as the states, so the two cannot disagree.

When the SMS configuration would decide the answer but is not loaded, the state is `unknown`,
never `blocked`: the app does not claim a number is broken because a request failed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from rc_sms_desktop.core.formatting import region_of
from rc_sms_desktop.core.models import PhoneNumber, ServiceFeature, SmsConfiguration
from rc_sms_desktop.core.number_kinds import (
    cannot_text_kind,
    is_shared,
    is_toll_free,
    is_us_or_canada_region,
)

__all__ = [
    "LINK_ADMIN_PORTAL",
    "LINK_CALL_QUEUE_SMS",
    "LINK_COMPANY_SMS",
    "LINK_TCR",
    "LINK_TOLL_FREE",
    "LOW_VOLUME_DAILY_LIMIT",
    "CheckItem",
    "CheckState",
    "ConfigState",
    "Fixer",
    "Reason",
    "Severity",
    "State",
    "UserFeatures",
    "Verdict",
    "evaluate",
    "is_us_or_canada",
    "needs_configuration",
    "sender_sort_key",
]

# Links from RingCentral's guide (spec/sms-enablement-guide.md).
LINK_TCR = (
    "https://support.ringcentral.com/article-v2/Setting-up-TCR-registration-assigning-numbers-to-"
    "SMS-campaigns.html?brand=RingCentral&product=RingEX&language=en_US"
)
LINK_TOLL_FREE = (
    "https://support.ringcentral.com/article-v2/Verifying-your-toll-free-number-for-SMS.html"
    "?brand=RingCentral&product=RingEX&language=en_US"
)
LINK_COMPANY_SMS = (
    "https://support.ringcentral.com/article-v2/Configuring-company-call-handling.html"
    "?brand=RingCentral&product=RingEX&language=en_US"
)
LINK_CALL_QUEUE_SMS = (
    "https://support.ringcentral.com/article-v2/assigning-an-sms-recipient-for-call-queues-in-the-"
    "ringcentral-app-and-admin-portal.html?brand=RingCentral&product=RingEX&language=en_US"
)
LINK_ADMIN_PORTAL = "https://service.ringcentral.com"

LOW_VOLUME_DAILY_LIMIT = 6000

SMS, MMS, INTERNATIONAL, HIGH_VOLUME = "sms", "mms", "international", "highVolume"


class State(StrEnum):
    """Whether a number can do one thing (send SMS, MMS…)."""

    READY = "ready"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"


class ConfigState(StrEnum):
    """Where the number's SMS configuration stands when the verdict is made."""

    NOT_NEEDED = "not-needed"
    NOT_LOADED = "not-loaded"
    LOADING = "loading"
    LOADED = "loaded"
    FAILED = "failed"


class Severity(StrEnum):
    """`error` blocks what the reason `affects`; `warning` may limit it; `info` is for context."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Fixer(StrEnum):
    """Who can act on a reason."""

    YOU = "you"
    ACCOUNT_ADMIN = "an account admin"
    RINGCENTRAL_SUPPORT = "RingCentral support"


class CheckState(StrEnum):
    """The state of one checklist item. A fact the API does not report is `unknown`, never `pass`."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not-applicable"


# Stable checklist item ids (`explain`/`check --format json` print them).
ITEM_NUMBER_STATUS = "number-status"
ITEM_USER_PERMISSION = "user-permission"
ITEM_SMS_FEATURE = "sms-feature"
ITEM_MMS_FEATURE = "mms-feature"
ITEM_INTERNATIONAL_FEATURE = "international-feature"
ITEM_HIGH_VOLUME_FEATURE = "high-volume-feature"
ITEM_SMS_HOLDER = "sms-holder"
ITEM_TCR_CAMPAIGN = "tcr-campaign"
ITEM_TCR_BRAND = "tcr-brand"
ITEM_TOLL_FREE_VERIFICATION = "toll-free-verification"

CHECKLIST_ITEMS = (
    ITEM_NUMBER_STATUS,
    ITEM_USER_PERMISSION,
    ITEM_SMS_FEATURE,
    ITEM_MMS_FEATURE,
    ITEM_INTERNATIONAL_FEATURE,
    ITEM_HIGH_VOLUME_FEATURE,
    ITEM_SMS_HOLDER,
    ITEM_TCR_CAMPAIGN,
    ITEM_TCR_BRAND,
    ITEM_TOLL_FREE_VERIFICATION,
)
CHECKLIST_TITLES = {
    ITEM_NUMBER_STATUS: "Number status",
    ITEM_USER_PERMISSION: "Your role allows SMS",
    ITEM_SMS_FEATURE: "SMS feature (SmsSender)",
    ITEM_MMS_FEATURE: "MMS (MmsSender)",
    ITEM_INTERNATIONAL_FEATURE: "International SMS (InternationalSmsSender)",
    ITEM_HIGH_VOLUME_FEATURE: "High Volume SMS (A2PSmsSender)",
    ITEM_SMS_HOLDER: "Who holds its SMS",
    ITEM_TCR_CAMPAIGN: "TCR campaign",
    ITEM_TCR_BRAND: "TCR brand",
    ITEM_TOLL_FREE_VERIFICATION: "Toll-free verification",
}


@dataclass(frozen=True, slots=True)
class CheckItem:
    """One line of a verdict's checklist: a stable `item` id, its state, and a few words."""

    item: str
    state: CheckState
    detail: str

    @property
    def title(self) -> str:
        return CHECKLIST_TITLES.get(self.item, self.item)

    def to_json(self) -> dict[str, str]:
        return {"item": self.item, "state": str(self.state), "detail": self.detail}


UserFeatures = tuple[ServiceFeature, ...]
"""The signed-in user's `serviceFeatures` (`Extension.service_features`); None when not reported."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One plain-language explanation with a stable `code`, who can fix it and how.

    `summary` is a few words for a headline ("campaign pending review"); `affects` names the
    capabilities (`sms`, `mms`, `international`, `highVolume`) the reason is about.
    """

    code: str
    severity: Severity
    message: str
    fix: str
    who: Fixer
    link: str | None = None
    summary: str = ""
    affects: tuple[str, ...] = (SMS,)

    def fix_with_link(self) -> str:
        """The fix text followed by the guide's link, when there is one."""
        return f"{self.fix} See {self.link}" if self.link else self.fix

    def to_json(self) -> dict[str, Any]:
        """The `explain --format json` shape of one reason."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "fix": self.fix_with_link(),
        }


_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_STATE_RANK = {State.READY: 0, State.UNKNOWN: 1, State.BLOCKED: 2}

# Root cause first: the number itself, the user's permission, the number's features, who holds
# its SMS, the brand, the campaign, then limits and notes (issue #13). Unlisted codes go last.
_LAYER = {
    code: layer
    for layer, codes in enumerate((
        ("malformed-record", "fax-only", "number-not-active", "number-kind-cannot-text"),
        ("sms-not-permitted", "mms-not-permitted", "international-not-permitted"),
        (
            "high-volume-only", "no-sms-feature", "toll-free-not-verified", "high-volume-us-ca-only",
            "sms-and-high-volume",
        ),
        ("sms-assigned-elsewhere",),
        ("brand-not-verified",),
        ("loading", "config-unavailable", "no-campaign", "campaign-not-confirmed", "campaign-errors"),
        (
            "toll-free-no-mms", "no-mms-feature", "international-from-toll-free",
            "no-international-feature", "daily-limit",
        ),
    ))
    for code in codes
}


def _root_cause_order(reasons: list[Reason]) -> tuple[Reason, ...]:
    """Reasons sorted by layer (stable), errors before warnings within a layer."""
    if len(reasons) < 2:
        return tuple(reasons)
    return tuple(
        sorted(reasons, key=lambda r: (_LAYER.get(r.code, len(_LAYER)), _SEVERITY_RANK[r.severity]))
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one number can do, with every reason, for the picker, the detail pane and `explain`."""

    number: PhoneNumber
    config: SmsConfiguration | None
    sms: State
    mms: State
    international: State
    high_volume: State
    use_cases: tuple[str, ...]
    daily_limit: int | None
    reasons: tuple[Reason, ...]
    config_state: ConfigState = ConfigState.NOT_NEEDED
    checklist: tuple[CheckItem, ...] = ()

    @property
    def can_send_sms(self) -> bool:
        return self.sms is State.READY

    @property
    def main_reason(self) -> Reason | None:
        """What to fix first: reasons are in root-cause order, so the first error.

        While SMS is not ready: the first error about SMS. When it is ready: the first warning
        about SMS (a brand that is not verified, a number listed for both kinds of SMS), else the
        first error (no MMS…), else the first note.
        """
        if not self.reasons:
            return None
        if self.sms is not State.READY:
            about_sms = [reason for reason in self.reasons if SMS in reason.affects]
            if about_sms:
                return min(about_sms, key=lambda reason: _SEVERITY_RANK[reason.severity])
        else:
            warning = next(
                (r for r in self.reasons if SMS in r.affects and r.severity is Severity.WARNING),
                None,
            )
            if warning is not None:
                return warning
        return min(self.reasons, key=lambda reason: _SEVERITY_RANK[reason.severity])

    def check(self, item: str) -> CheckItem | None:
        """The checklist item with this id."""
        return next((entry for entry in self.checklist if entry.item == item), None)

    @property
    def headline(self) -> str:
        """One short line: "Ready to send SMS and MMS", "Cannot send SMS: campaign pending review"…"""
        if self.sms is State.READY:
            return "Ready to send SMS and MMS" if self.mms is State.READY else "Ready to send SMS (no MMS)"
        codes = {reason.code for reason in self.reasons}
        if self.sms is State.UNKNOWN:
            if "loading" in codes:
                return "Checking SMS registration…"
            return "SMS not confirmed: registration could not be checked"
        if "high-volume-only" in codes and self.high_volume is State.READY:
            return "High Volume SMS only"
        main = self.main_reason
        return f"Cannot send SMS: {main.summary}" if main and main.summary else "Cannot send SMS"

    def to_json(self) -> dict[str, Any]:
        """The object `explain --format json` prints for this number."""
        return {
            "id": self.number.id,
            "phoneNumber": self.number.phone_number,
            "sms": str(self.sms),
            "mms": str(self.mms),
            "international": str(self.international),
            "highVolume": str(self.high_volume),
            "useCases": list(self.use_cases),
            "dailyLimit": self.daily_limit,
            "reasons": [reason.to_json() for reason in self.reasons],
            "checklist": [entry.to_json() for entry in self.checklist],
        }


def sender_sort_key(verdict: Verdict) -> tuple[int, int, str]:
    """Picker order: ready, then unknown, then blocked; primary and direct before company numbers."""
    number = verdict.number
    if number.primary:
        kind_rank = 0
    elif number.usage_type == "DirectNumber" and not is_shared(number):
        kind_rank = 1
    else:
        kind_rank = 2
    return (_STATE_RANK[verdict.sms], kind_rank, number.phone_number or "")


# ---------------------------------------------------------------------------------------------
# Facts about a number


def is_us_or_canada(number: PhoneNumber) -> bool:
    """True for a US (territories included) or Canadian number: where TCR and High Volume apply.

    The one definition is `number_kinds.US_OR_CANADA_REGIONS`, shared with the recipient rules.
    """
    country = number.country
    if country is not None:
        if country.iso_code:
            return is_us_or_canada_region(country.iso_code)
        if country.name in ("United States", "Canada", "Puerto Rico"):
            return True
    return is_us_or_canada_region(region_of(number.phone_number))


def _is_active(number: PhoneNumber) -> bool:
    # An absent status is not a porting state: RingCentral omits nothing it means to flag.
    return number.status is None or number.status == "Normal"


def needs_configuration(number: PhoneNumber) -> bool:
    """True when the SMS configuration can change the verdict: a readable, active, voice-capable
    local US/Canadian number that carries `SmsSender` or `A2PSmsSender` (a local High Volume
    number is a 10DLC number too). Everything else is decided by the record."""
    return (
        number.problem is None
        and number.type != "FaxOnly"
        and _is_active(number)
        and ("SmsSender" in number.features or "A2PSmsSender" in number.features)
        and cannot_text_kind(number) is None
        and not is_toll_free(number)
        and is_us_or_canada(number)
    )


# ---------------------------------------------------------------------------------------------
# Reasons


def _malformed(problem: str) -> Reason:
    return Reason(
        code="malformed-record",
        severity=Severity.ERROR,
        message=f"RingCentral sent this number in a form the app could not read ({problem}).",
        fix="Reload. If it persists, send the problem text to RingCentral support.",
        who=Fixer.RINGCENTRAL_SUPPORT,
        summary="its details could not be read",
        affects=(SMS, MMS, INTERNATIONAL, HIGH_VOLUME),
    )


_FAX_ONLY = Reason(
    code="fax-only",
    severity=Severity.ERROR,
    message="This is a fax-only number: it cannot send or receive text messages.",
    fix="Pick a voice number instead, or ask an account admin for an SMS-enabled number.",
    who=Fixer.ACCOUNT_ADMIN,
    summary="fax-only number",
    affects=(SMS, MMS, INTERNATIONAL, HIGH_VOLUME),
)

_STATUS_WORDS = {
    "PortedIn": "is still being ported in to RingCentral",
    "Pending": "is pending: RingCentral has not finished setting it up",
    "Temporary": "is a temporary number standing in while your own number is ported",
    "Unknown": "has a status RingCentral itself reports as unknown",
}


@lru_cache(maxsize=64)
def _not_active(status: str) -> Reason:
    words = _STATUS_WORDS.get(status, f"is not active yet (status “{status}”)")
    return Reason(
        code="number-not-active",
        severity=Severity.ERROR,
        message=f"This number {words}. Only active numbers can send messages.",
        fix="Wait until the number is active; if it stays this way, an account admin can ask "
        "RingCentral support about the port or activation.",
        who=Fixer.ACCOUNT_ADMIN,
        link=LINK_ADMIN_PORTAL,
        summary=f"number not active ({status})",
        affects=(SMS, MMS, INTERNATIONAL, HIGH_VOLUME),
    )


_HIGH_VOLUME_ONLY = Reason(
    code="high-volume-only",
    severity=Severity.ERROR,
    message="This number is set up for High Volume SMS (A2PSmsSender), not for regular SMS: only "
    "the High Volume SMS API can send from it, one-to-one texting here cannot.",
    fix="Pick another number for regular SMS, or send bulk messages through the High Volume SMS API.",
    who=Fixer.YOU,
    summary="High Volume SMS only",
)


def _number_kind_cannot_text(kind: str) -> Reason:
    return Reason(
        code="number-kind-cannot-text",
        severity=Severity.ERROR,
        message=f"This is {kind}. Numbers of this kind cannot send text messages through "
        "RingCentral, so registering it for SMS would not help.",
        fix="Text from one of your direct or company business numbers instead; an account admin "
        "can give you an SMS-enabled number.",
        who=Fixer.ACCOUNT_ADMIN,
        summary="this kind of number cannot text",
        affects=(SMS, MMS, INTERNATIONAL, HIGH_VOLUME),
    )


_TOLL_FREE_NOT_VERIFIED = Reason(
    code="toll-free-not-verified",
    severity=Severity.ERROR,
    message="This toll-free number is not SMS-enabled (it lacks the SmsSender feature). Toll-free "
    "numbers are not registered with TCR: they text once they pass toll-free verification, and "
    "RingCentral then attaches SmsSender.",
    fix="An account admin asks RingCentral support to enable SMS on the number and complete its "
    "toll-free verification.",
    who=Fixer.ACCOUNT_ADMIN,
    link=LINK_TOLL_FREE,
    summary="toll-free number not verified for SMS",
)


def _no_sms_feature(number: PhoneNumber) -> Reason:
    if number.extension is None and is_us_or_canada(number):
        # The spec lets `extension` be absent from a user's list: a number without SmsSender may
        # then be another extension's (caller ID only here) as well as an unregistered own one.
        return Reason(
            code="no-sms-feature",
            severity=Severity.ERROR,
            message="This number is on your list for caller ID only (it lacks the SmsSender "
            "feature), and RingCentral did not say which extension it belongs to: either another "
            "extension holds its SMS features, or it is not SMS-enabled. Local US and Canadian "
            "numbers text only once they are linked to an approved TCR campaign.",
            fix="Ask an account admin: they can see who holds the number's SMS (the Account tab) "
            "and assign it to you, or link the number to an approved SMS campaign.",
            who=Fixer.ACCOUNT_ADMIN,
            link=LINK_TCR,
            summary="number not SMS-enabled for you",
        )
    if is_us_or_canada(number):
        return Reason(
            code="no-sms-feature",
            severity=Severity.ERROR,
            message="This number is not SMS-enabled (it lacks the SmsSender feature). Local US "
            "and Canadian numbers text only once they are linked to an approved TCR campaign.",
            fix="An account admin (a Super Admin) registers the brand and an SMS campaign with "
            "TCR and links this number to the approved campaign; it can take weeks.",
            who=Fixer.ACCOUNT_ADMIN,
            link=LINK_TCR,
            summary="number not SMS-enabled",
        )
    return Reason(
        code="no-sms-feature",
        severity=Severity.ERROR,
        message="This number is not SMS-enabled (it lacks the SmsSender feature).",
        fix="Ask an account admin to enable SMS on this number; RingCentral support can say "
        "whether SMS is offered for numbers in its country.",
        who=Fixer.ACCOUNT_ADMIN,
        summary="number not SMS-enabled",
    )


# The user's own permission (readExtension's serviceFeatures). RingCentral's "unable to send or
# receive SMS" checklist names a role allowing business SMS among the first requirements
# (https://community.ringcentral.com/articles/111254/unable-to-send-or-receive-sms-understand-requireme.html):
# without the SMS feature no number of the user's can text. High Volume SMS is sent by an app
# with the A2PSMS scope and no user permission (createA2PSMS), so it is unaffected.
_SERVICE_FEATURE_WORDS = {
    "SMS": ("sms-not-permitted", "send SMS", (SMS, MMS, INTERNATIONAL), "your role does not allow SMS"),
    "MMS": ("mms-not-permitted", "send MMS (pictures, files)", (MMS,), "your role does not allow MMS"),
    "InternationalSMS": (
        "international-not-permitted",
        "send international SMS",
        (INTERNATIONAL,),
        "your role does not allow international SMS",
    ),
}


# readExtensionFeatures documents the reasons a feature is off; any other value is shown raw.
_LIMITATION_WORDS = {
    "AccountLimitation": "the feature is turned off for the whole account",
    "ExtensionLimitation": "the feature is not available for your extension (a licence may be needed)",
    "InsufficientPermissions": "your role does not grant the permission",
}


@lru_cache(maxsize=64)
def _not_permitted(feature: str, reason: str | None) -> Reason:
    code, doing, affects, summary = _SERVICE_FEATURE_WORDS[feature]
    words = _LIMITATION_WORDS.get(reason or "")
    why = f" RingCentral's reason: {words} (“{reason}”)." if words else (
        f" RingCentral's reason: “{reason}”." if reason else ""
    )
    return Reason(
        code=code,
        severity=Severity.ERROR,
        message=f"Your RingCentral user is not allowed to {doing}: the “{feature}” feature is off "
        f"for your extension.{why} This applies to every number you use.",
        fix=f"An account admin enables {feature} for you: in the Admin Portal, give your user a "
        f"role that includes {feature} (Users → your user → Roles and permissions), or check "
        "your service plan with RingCentral.",
        who=Fixer.ACCOUNT_ADMIN,
        link=LINK_ADMIN_PORTAL,
        summary=summary,
        affects=affects,
    )


_HIGH_VOLUME_US_CA_ONLY = Reason(
    code="high-volume-us-ca-only",
    severity=Severity.ERROR,
    message="This number carries the High Volume SMS feature (A2PSmsSender), but RingCentral "
    "offers High Volume SMS only for US and Canadian numbers: it cannot send from here.",
    fix="Use a US or Canadian number for High Volume SMS; an account admin can ask RingCentral "
    "support about this number.",
    who=Fixer.ACCOUNT_ADMIN,
    link="https://developers.ringcentral.com/guide/messaging/sms/high-volume",
    summary="High Volume SMS only in the US and Canada",
    affects=(HIGH_VOLUME,),
)

_SMS_AND_HIGH_VOLUME = Reason(
    code="sms-and-high-volume",
    severity=Severity.WARNING,
    message="This number lists both SmsSender and A2PSmsSender. RingCentral provisions a number "
    "for either regular business SMS or High Volume SMS, never both, so one of the two is likely "
    "to be refused or to stop working when RingCentral corrects the number.",
    fix="Ask an account admin which program the number is meant for; until then, expect one kind "
    "of sending from it to fail.",
    who=Fixer.ACCOUNT_ADMIN,
    link="https://developers.ringcentral.com/guide/messaging/sms/high-volume",
    summary="listed for both regular and High Volume SMS",
    affects=(SMS, HIGH_VOLUME),
)


def _assigned_elsewhere(number: PhoneNumber) -> Reason:
    owner_type = number.extension.type if number.extension is not None else None
    if owner_type == "Department":
        owner, link = "a call queue", LINK_CALL_QUEUE_SMS
    elif owner_type == "IvrMenu":
        owner, link = "an IVR menu", LINK_COMPANY_SMS
    elif owner_type == "Site":
        owner, link = "a site", LINK_COMPANY_SMS
    else:
        owner, link = "the company", LINK_COMPANY_SMS
    return Reason(
        code="sms-assigned-elsewhere",
        severity=Severity.ERROR,
        message=f"This number belongs to {owner}. You may show it as caller ID, but its SMS "
        "features go to one extension an admin picks, and that is not you (or the number is not "
        "SMS-enabled at all).",
        fix="An account admin can assign this number's SMS features to you in the Admin Portal.",
        who=Fixer.ACCOUNT_ADMIN,
        link=link,
        summary="SMS assigned to another extension",
    )


@lru_cache(maxsize=64)
def _config_unavailable(config_state: ConfigState, problem: str | None) -> Reason:
    if problem is not None:
        why = f"could not be read ({problem})"
    elif config_state is ConfigState.FAILED:
        why = "could not be loaded"
    else:
        why = "has not been loaded"
    return Reason(
        code="config-unavailable",
        severity=Severity.WARNING,
        message=f"This number's SMS registration (its TCR campaign) {why}, so the app cannot "
        "tell whether messages from it will go through.",
        fix="Reload to try again. The number itself looks SMS-enabled.",
        who=Fixer.YOU,
        summary="SMS registration not checked",
    )


_LOADING = Reason(
    code="loading",
    severity=Severity.INFO,
    message="Checking this number's SMS registration…",
    fix="Wait a moment.",
    who=Fixer.YOU,
    summary="checking SMS registration",
)

_NO_CAMPAIGN = Reason(
    code="no-campaign",
    severity=Severity.ERROR,
    message="This number is not linked to a TCR campaign. Local US and Canadian numbers must "
    "be linked to an approved campaign before their messages are delivered.",
    fix="An account admin links this number to an approved SMS campaign (or registers a brand "
    "and campaign first) in the Admin Portal.",
    who=Fixer.ACCOUNT_ADMIN,
    link=LINK_TCR,
    summary="not linked to an SMS campaign",
)

_PENDING = frozenset({"Created", "Submitted", "UpdateRequested", "Draft"})
_REJECTED = frozenset({"SubmitFailed", "PreVetFailed", "PreventFailed", "Unconfirmed"})


@lru_cache(maxsize=64)
def _campaign_not_confirmed(status: str | None) -> Reason:
    who, link = Fixer.ACCOUNT_ADMIN, LINK_TCR
    if status is None:
        message = "RingCentral did not report the status of this number's SMS campaign."
        fix = "Reload; if it persists, ask RingCentral support about the campaign."
        summary, who = "campaign status not reported", Fixer.RINGCENTRAL_SUPPORT
    elif status == "Draft":
        message = "This number's SMS campaign is still a draft: it has not been submitted for "
        message += "review. Messages will fail until it is approved."
        fix = "An account admin finishes and submits the campaign in the Admin Portal."
        summary = "campaign pending review"
    elif status in _PENDING:
        message = f"This number's SMS campaign is pending review (status “{status}”). Messages "
        message += "will fail until it is approved."
        fix = "Wait for the review to finish; it can take weeks. An account admin can follow it "
        fix += "in the Admin Portal."
        summary = "campaign pending review"
    elif status in _REJECTED:
        message = f"This number's SMS campaign was rejected (status “{status}”). Messages will fail."
        fix = "An account admin corrects the campaign details and submits it again."
        summary = "campaign rejected"
    elif status == "CampaignSuspended":
        message = "This number's SMS campaign is suspended. Messages will fail."
        fix = "An account admin contacts RingCentral support to learn why and to reinstate it."
        summary, who = "campaign suspended", Fixer.RINGCENTRAL_SUPPORT
    elif status == "CampaignExpired":
        message = "This number's SMS campaign has expired. Messages will fail."
        fix = "An account admin renews the campaign, or links the number to an active one."
        summary = "campaign expired"
    elif status == "DeleteRequested":
        message = "This number's SMS campaign is being deleted. Messages will fail."
        fix = "An account admin links the number to another approved campaign."
        summary = "campaign deletion requested"
    else:
        message = f"This number's SMS campaign has the status “{status}”, not Confirmed, so "
        message += "messages will fail."
        fix = "Ask RingCentral support what this status means for the campaign."
        summary, who = f"campaign status {status}", Fixer.RINGCENTRAL_SUPPORT
    return Reason(
        code="campaign-not-confirmed",
        severity=Severity.ERROR,
        message=message,
        fix=fix,
        who=who,
        link=link,
        summary=summary,
    )


# The docs return `Verified`; the spec types the brand status as a campaign status (`Confirmed`).
_BRAND_GOOD = frozenset({"Verified", "Confirmed"})
_BRAND_BAD_WORDS = {
    "Created": "is waiting for review",
    "Submitted": "is waiting for review",
    "Draft": "is a draft that was never submitted",
    "UpdateRequested": "has changes waiting for review",
    "SubmitFailed": "was rejected",
    "Unverified": "could not be verified",
    "PreventFailed": "was rejected",
    "PreVetFailed": "was rejected",
    "Unconfirmed": "was rejected",
    "Suspended": "is suspended",
    "CampaignSuspended": "is suspended",
    "Expired": "has expired",
    "CampaignExpired": "has expired",
    "DeleteRequested": "is being deleted",
}


@lru_cache(maxsize=64)
def _brand_not_verified(status: str | None, campaign_confirmed: bool) -> Reason:
    """The guide makes the campaign decide: under a Confirmed campaign a brand that is not
    Verified is a warning (texts go out for now); otherwise a known bad brand status is the
    root cause of the unconfirmed campaign, and comes first."""
    words = _BRAND_BAD_WORDS.get(status or "")
    shown = f"status “{status}”" if status else "no status"
    if campaign_confirmed:
        what = f"{words} ({shown})" if words else f"is not reported as Verified ({shown})"
        severity = Severity.WARNING
        message = (f"Your company's SMS brand registration {what}. The number's campaign is "
                   "confirmed, so texts go out for now, but carriers may suspend or refuse the "
                   "campaign while its brand is not verified.")
        fix = "An account admin (a Super Admin) checks the brand registration in the Admin Portal."
    elif words is not None:
        severity = Severity.ERROR
        message = (f"Your company's SMS brand registration {words} ({shown}). A campaign is "
                   "approved only for a verified brand, so this is why the campaign cannot be "
                   "confirmed.")
        fix = ("An account admin (a Super Admin) fixes the brand registration in the Admin "
               "Portal first; the campaign follows.")
    else:
        # Unknown or missing: shown, but not treated as a block the guide does not document.
        severity = Severity.WARNING
        message = f"RingCentral reports {shown} for your company's SMS brand, not Verified."
        fix = "If messages fail, an account admin checks the brand registration in the Admin Portal."
    return Reason(
        code="brand-not-verified",
        severity=severity,
        message=message,
        fix=fix,
        who=Fixer.ACCOUNT_ADMIN,
        link=LINK_TCR,
        summary="brand not verified",
    )


@lru_cache(maxsize=64)
def _daily_limit(campaign_id: str | None) -> Reason:
    # The guide's limit is per campaign, "across all numbers" linked to it, not one company pool.
    which = f"campaign {campaign_id}" if campaign_id else "its campaign"
    return Reason(
        code="daily-limit",
        severity=Severity.INFO,
        message=f"This number's SMS campaign ({which}) is registered as low volume: at most "
        f"{LOW_VOLUME_DAILY_LIMIT:,} messages a day to US mobile carriers, counted across all "
        "the numbers linked to that campaign.",
        fix="If you need more, an account admin can register a standard-volume campaign.",
        who=Fixer.ACCOUNT_ADMIN,
        link=LINK_TCR,
        summary=f"{LOW_VOLUME_DAILY_LIMIT:,} messages a day for {which}",
    )


def _campaign_errors(messages: tuple[str, ...]) -> Reason:
    return Reason(
        code="campaign-errors",
        severity=Severity.WARNING,
        message="RingCentral lists problems with this number's SMS registration: "
        + "; ".join(messages),
        fix="An account admin reviews the registration in the Admin Portal.",
        who=Fixer.ACCOUNT_ADMIN,
        link=LINK_TCR,
        summary="registration has errors",
    )


_TOLL_FREE_NO_MMS = Reason(
    code="toll-free-no-mms",
    severity=Severity.ERROR,
    message="Toll-free numbers cannot send MMS (pictures, files): only text.",
    fix="Send pictures from a local SMS-enabled number instead.",
    who=Fixer.YOU,
    summary="no MMS on toll-free numbers",
    affects=(MMS,),
)

_NO_MMS_FEATURE = Reason(
    code="no-mms-feature",
    severity=Severity.ERROR,
    message="This number can text but not send MMS (it lacks the MmsSender feature).",
    fix="Send pictures from another number, or ask an account admin whether MMS can be enabled.",
    who=Fixer.ACCOUNT_ADMIN,
    summary="no MMS",
    affects=(MMS,),
)

_NO_INTERNATIONAL_FEATURE = Reason(
    code="no-international-feature",
    severity=Severity.ERROR,
    message="This number cannot text numbers outside its country (it lacks the "
    "InternationalSmsSender feature).",
    fix="An account admin can ask to have international SMS enabled for the number.",
    who=Fixer.ACCOUNT_ADMIN,
    summary="no international SMS",
    affects=(INTERNATIONAL,),
)

_INTERNATIONAL_FROM_TOLL_FREE = Reason(
    code="international-from-toll-free",
    severity=Severity.ERROR,
    message="RingCentral refuses international SMS from toll-free numbers (error MSG-403).",
    fix="Text international recipients from a local number that has international SMS.",
    who=Fixer.YOU,
    summary="no international SMS from toll-free numbers",
    affects=(INTERNATIONAL,),
)


# ---------------------------------------------------------------------------------------------
# The rules


def _malformed_verdict(number: PhoneNumber, config: SmsConfiguration | None, state: ConfigState) -> Verdict:
    detail = f"Could not be read: {number.problem or 'unknown problem'}"
    checklist = tuple(
        CheckItem(item, CheckState.FAIL if item == ITEM_NUMBER_STATUS else CheckState.UNKNOWN,
                  detail if item == ITEM_NUMBER_STATUS else "Not known: the record could not be read")
        for item in CHECKLIST_ITEMS
    )
    return Verdict(
        number=number,
        config=config,
        sms=State.BLOCKED,
        mms=State.BLOCKED,
        international=State.BLOCKED,
        high_volume=State.BLOCKED,
        use_cases=(),
        daily_limit=None,
        reasons=(_malformed(number.problem or "unknown problem"),),
        config_state=state,
        checklist=checklist,
    )


def _campaign_facts(config: SmsConfiguration | None, toll_free: bool) -> tuple[tuple[str, ...], int | None]:
    # Toll-free numbers are verified, not registered to a campaign: no use cases, no TCR limit.
    if toll_free or config is None or config.problem is not None or config.campaign is None:
        return (), None
    campaign = config.campaign
    limit = LOW_VOLUME_DAILY_LIMIT if campaign.registration_tier == "LowVolume" else None
    return campaign.use_cases, limit


def _refusal(user: UserFeatures | None, name: str) -> Reason | None:
    """The not-permitted reason when the user's `name` service feature is reported off."""
    if user is None:
        return None
    feature = next((f for f in user if f.name == name), None)
    if feature is None or feature.enabled is not False:
        return None
    return _not_permitted(name, feature.reason)


@dataclass(slots=True)
class _Facts:
    """What `evaluate` learnt on the way, for the checklist."""

    inert_detail: str | None = None
    campaign: tuple[CheckState, str] = (CheckState.NOT_APPLICABLE, "")
    brand: tuple[CheckState, str] = (CheckState.NOT_APPLICABLE, "")


def evaluate(
    number: PhoneNumber,
    config: SmsConfiguration | None = None,
    *,
    config_state: ConfigState | None = None,
    user: UserFeatures | None = None,
) -> Verdict:
    """Apply the rules to one number and its SMS configuration (None when not fetched).

    `config_state` defaults to LOADED when a configuration is given, else NOT_LOADED for numbers
    that need one and NOT_NEEDED for the rest. `user` is the signed-in user's `serviceFeatures`
    (None when RingCentral did not report them: not a refusal).
    """
    needs_config = needs_configuration(number)
    if config_state is None:
        if config is not None:
            config_state = ConfigState.LOADED
        else:
            config_state = ConfigState.NOT_LOADED if needs_config else ConfigState.NOT_NEEDED
    if number.problem is not None:
        return _malformed_verdict(number, config, config_state)

    reasons: list[Reason] = []
    facts = _Facts()
    features = number.features
    toll_free = is_toll_free(number)
    us_ca = is_us_or_canada(number)
    has_sms = "SmsSender" in features
    has_a2p = "A2PSmsSender" in features

    # 1. The number itself: fax-only, not active, or a kind that never texts.
    inert_details: list[str] = []
    if number.type == "FaxOnly":
        reasons.append(_FAX_ONLY)
        inert_details.append("Fax-only number")
    if not _is_active(number):
        reasons.append(_not_active(number.status or ""))
        inert_details.append(f"Not active (“{number.status}”)")
    kind = cannot_text_kind(number) if number.type != "FaxOnly" else None
    if kind is not None:
        reasons.append(_number_kind_cannot_text(kind))
        inert_details.append(kind[0].upper() + kind[1:])
    inert = bool(inert_details)
    facts.inert_detail = "; ".join(inert_details) or None

    # 2. The user's permission: applies to every number of theirs.
    sms_refused = _refusal(user, "SMS")
    mms_refused = _refusal(user, "MMS")
    international_refused = _refusal(user, "InternationalSMS")
    for refusal in (sms_refused, mms_refused, international_refused):
        if refusal is not None:
            reasons.append(refusal)

    # 3-6. Features, who holds the SMS, brand and campaign.
    sms = State.BLOCKED if inert or sms_refused is not None else State.READY
    if not inert and not has_sms:
        sms = State.BLOCKED
        if has_a2p:
            reasons.append(_HIGH_VOLUME_ONLY)
        elif is_shared(number):
            reasons.append(_assigned_elsewhere(number))
        elif toll_free:
            reasons.append(_TOLL_FREE_NOT_VERIFIED)
        else:
            reasons.append(_no_sms_feature(number))
    if not inert and has_sms and has_a2p:
        reasons.append(_SMS_AND_HIGH_VOLUME)

    registration = State.READY  # what the TCR registration allows (local US/CA numbers)
    if needs_config:
        registration = _apply_configuration(config, config_state, reasons, facts, has_sms)
    elif not inert and us_ca and not toll_free:
        facts.campaign = (CheckState.UNKNOWN, "Not checked: the number is not SMS-enabled")
        facts.brand = (CheckState.UNKNOWN, "Not checked: the number is not SMS-enabled")
    elif not inert and not us_ca:
        facts.campaign = (CheckState.NOT_APPLICABLE, "TCR applies only to US and Canadian numbers")
        facts.brand = facts.campaign
    elif toll_free:
        facts.campaign = (CheckState.NOT_APPLICABLE, "Toll-free numbers are verified, not registered with TCR")
        facts.brand = facts.campaign
    else:
        facts.campaign = (CheckState.NOT_APPLICABLE, "Not checked: the number cannot text")
        facts.brand = facts.campaign
    if sms is State.READY:
        sms = registration

    # 7. Limits and notes.
    use_cases, daily_limit = _campaign_facts(config, toll_free)
    if daily_limit is not None and sms is not State.BLOCKED:
        campaign = config.campaign if config is not None else None
        reasons.append(_daily_limit(campaign.id if campaign is not None else None))

    # MMS and international follow SMS; their own reasons are shown only when SMS could work.
    mms = international = sms
    if sms is not State.BLOCKED:
        if mms_refused is not None:
            mms = State.BLOCKED
        if toll_free:
            reasons.append(_TOLL_FREE_NO_MMS)
            mms = State.BLOCKED
        elif "MmsSender" not in features:
            reasons.append(_NO_MMS_FEATURE)
            mms = State.BLOCKED
        if international_refused is not None:
            international = State.BLOCKED
        if toll_free:
            reasons.append(_INTERNATIONAL_FROM_TOLL_FREE)
            international = State.BLOCKED
        elif "InternationalSmsSender" not in features:
            reasons.append(_NO_INTERNATIONAL_FEATURE)
            international = State.BLOCKED

    # High Volume: only US/CA numbers; a local one needs its campaign like any 10DLC number.
    high_volume = State.BLOCKED
    if has_a2p and not inert:
        if not us_ca:
            reasons.append(_HIGH_VOLUME_US_CA_ONLY)
        else:
            high_volume = registration

    ordered = _root_cause_order(reasons)
    return Verdict(
        number=number,
        config=config,
        sms=sms,
        mms=mms,
        international=international,
        high_volume=high_volume,
        use_cases=use_cases,
        daily_limit=daily_limit,
        reasons=ordered,
        config_state=config_state,
        checklist=_checklist(
            number, ordered, facts, user, sms_refused, mms_refused, international_refused, toll_free
        ),
    )


def _apply_configuration(
    config: SmsConfiguration | None,
    config_state: ConfigState,
    reasons: list[Reason],
    facts: _Facts,
    has_sms: bool,
) -> State:
    """The TCR rules for a local US/Canadian 10DLC number; appends reasons, notes the checklist."""
    affects = (SMS, HIGH_VOLUME) if has_sms else (HIGH_VOLUME,)

    def add(reason: Reason) -> None:
        reasons.append(reason if reason.affects == affects else dataclasses.replace(reason, affects=affects))

    if config_state is ConfigState.LOADING:
        add(_LOADING)
        facts.campaign = facts.brand = (CheckState.UNKNOWN, "Checking…")
        return State.UNKNOWN
    if config_state is not ConfigState.LOADED or config is None or config.problem is not None:
        failed = ConfigState.FAILED if config_state is ConfigState.LOADED else config_state
        add(_config_unavailable(failed, config.problem if config else None))
        facts.campaign = facts.brand = (CheckState.UNKNOWN, "Could not be checked")
        return State.UNKNOWN
    campaign = config.campaign
    if campaign is None:
        add(_NO_CAMPAIGN)
        facts.campaign = (CheckState.FAIL, "Not linked to a campaign")
        facts.brand = (CheckState.UNKNOWN, "No campaign, so no brand reported")
        return State.BLOCKED
    which = f" (campaign {campaign.id})" if campaign.id else ""
    confirmed = campaign.status == "Confirmed"
    state = State.READY
    if confirmed:
        facts.campaign = (CheckState.PASS, f"Confirmed{which}")
    else:
        add(_campaign_not_confirmed(campaign.status))
        facts.campaign = (CheckState.FAIL, f"{campaign.status or 'No status reported'}{which}")
        state = State.BLOCKED
    brand = config.brand
    brand_status = brand.status if brand else None
    if brand_status in _BRAND_GOOD:
        facts.brand = (CheckState.PASS, brand_status or "Verified")
    else:
        reason = _brand_not_verified(brand_status, confirmed)
        add(reason)
        shown = brand_status or "No status reported"
        if reason.severity is Severity.ERROR:
            facts.brand = (CheckState.FAIL, f"{shown}: the root cause of the unconfirmed campaign")
        elif confirmed:
            facts.brand = (CheckState.UNKNOWN, f"{shown}: not Verified, the confirmed campaign still sends")
        else:
            facts.brand = (CheckState.UNKNOWN, f"{shown}: a status this app does not know")
    errors = tuple(
        " ".join(part for part in (error.error_code, error.message) if part)
        for error in (*campaign.errors, *(brand.errors if brand else ()))
    )
    errors = tuple(text for text in errors if text)
    if errors:
        add(_campaign_errors(errors))
    return state


# Checklist items repeat across numbers (same words, same state): share them, a 10,000-number
# account scan builds 100,000 of them.
_check_item = lru_cache(maxsize=1024)(CheckItem)


def _checklist(
    number: PhoneNumber,
    reasons: tuple[Reason, ...],
    facts: _Facts,
    user: UserFeatures | None,
    sms_refused: Reason | None,
    mms_refused: Reason | None,
    international_refused: Reason | None,
    toll_free: bool,
) -> tuple[CheckItem, ...]:
    """The checklist, from the facts the states were decided on (never from its own rules)."""
    features = number.features
    shared = is_shared(number)
    has_sms = "SmsSender" in features
    has_a2p = "A2PSmsSender" in features
    codes = {reason.code for reason in reasons}
    items: list[CheckItem] = []

    def add(item: str, state: CheckState, detail: str) -> None:
        items.append(_check_item(item, state, detail))

    if facts.inert_detail is not None:
        add(ITEM_NUMBER_STATUS, CheckState.FAIL, facts.inert_detail)
    else:
        add(ITEM_NUMBER_STATUS, CheckState.PASS, "Active")

    if sms_refused is not None:
        reason = next((f.reason for f in user or () if f.name == "SMS"), None)
        add(ITEM_USER_PERMISSION, CheckState.FAIL,
            "SMS is off for your user" + (f" (“{reason}”)" if reason else ""))
    elif user is None:
        add(ITEM_USER_PERMISSION, CheckState.UNKNOWN, "RingCentral did not report your SMS permission")
    elif any(f.name == "SMS" and f.enabled for f in user):
        add(ITEM_USER_PERMISSION, CheckState.PASS, "SMS is on for your user")
    else:
        add(ITEM_USER_PERMISSION, CheckState.UNKNOWN, "RingCentral did not report the SMS feature")

    if has_sms:
        add(ITEM_SMS_FEATURE, CheckState.PASS, "Present")
    elif "high-volume-only" in codes:
        add(ITEM_SMS_FEATURE, CheckState.FAIL, "Missing: the number is for High Volume SMS only")
    elif "sms-assigned-elsewhere" in codes:
        add(ITEM_SMS_FEATURE, CheckState.FAIL, "Not on your list: another extension holds it")
    else:
        add(ITEM_SMS_FEATURE, CheckState.FAIL, "Missing")

    def add_on_feature(item: str, feature: str, toll_free_detail: str,
                       refused: Reason | None, refused_detail: str) -> None:
        """MMS and international SMS: the same ladder, each on top of SMS."""
        if toll_free:
            add(item, CheckState.FAIL, toll_free_detail)
        elif refused is not None:
            add(item, CheckState.FAIL, refused_detail)
        elif not has_sms:
            # MmsSender or InternationalSmsSender alone sends nothing: both go out only from a
            # number that can text.
            add(item, CheckState.FAIL, "Needs SMS first (no SmsSender)")
        elif feature in features:
            add(item, CheckState.PASS, "Present")
        else:
            add(item, CheckState.FAIL, "Missing")

    add_on_feature(ITEM_MMS_FEATURE, "MmsSender", "Toll-free numbers cannot send MMS",
                   mms_refused, "MMS is off for your user")
    add_on_feature(ITEM_INTERNATIONAL_FEATURE, "InternationalSmsSender",
                   "Not allowed from toll-free numbers (MSG-403)",
                   international_refused, "International SMS is off for your user")

    if not has_a2p:
        add(ITEM_HIGH_VOLUME_FEATURE, CheckState.NOT_APPLICABLE, "Not a High Volume SMS number")
    elif "high-volume-us-ca-only" in codes:
        add(ITEM_HIGH_VOLUME_FEATURE, CheckState.FAIL, "Offered only for US and Canadian numbers")
    else:
        add(ITEM_HIGH_VOLUME_FEATURE, CheckState.PASS, "Present")

    if shared:
        if has_sms or has_a2p:
            add(ITEM_SMS_HOLDER, CheckState.PASS, "This extension is the one picked for its SMS")
        else:
            add(ITEM_SMS_HOLDER, CheckState.FAIL,
                "Another extension holds its SMS (or it is not SMS-enabled)")
    elif number.extension is None and not (has_sms or has_a2p):
        add(ITEM_SMS_HOLDER, CheckState.UNKNOWN,
            "Not reported: caller ID only here; SMS held elsewhere or not enabled")
    else:
        add(ITEM_SMS_HOLDER, CheckState.PASS, "Assigned directly to this extension")

    add(ITEM_TCR_CAMPAIGN, *facts.campaign)
    add(ITEM_TCR_BRAND, *facts.brand)

    if not toll_free:
        add(ITEM_TOLL_FREE_VERIFICATION, CheckState.NOT_APPLICABLE, "Not a toll-free number")
    elif has_sms or has_a2p:
        add(ITEM_TOLL_FREE_VERIFICATION, CheckState.PASS, "Verified: RingCentral lists its SMS feature")
    elif shared:
        add(ITEM_TOLL_FREE_VERIFICATION, CheckState.UNKNOWN, "Not known: its SMS is held elsewhere")
    else:
        add(ITEM_TOLL_FREE_VERIFICATION, CheckState.FAIL, "Not verified for SMS (no SmsSender)")
    return tuple(items)
