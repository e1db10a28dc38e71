"""Can this number send SMS, MMS, international SMS, High Volume SMS, and if not, why and who fixes it.

The rules come from RingCentral's SMS guide (spec/sms-enablement-guide.md) and API facts:
- the number's `features` decide wherever they can (`SmsSender`, `MmsSender`,
  `InternationalSmsSender`, `A2PSmsSender`); no `SmsSender` means no SMS, whatever else is true;
- a local US/Canadian number also needs a TCR campaign whose status is `Confirmed` (anything
  else makes outbound SMS fail); a toll-free number needs toll-free verification instead, which no
  API reports, so its features are all there is to go on;
- toll-free numbers never send MMS, and international SMS from them is refused (MSG-403);
- a shared number (company, call queue, IVR, site) gives its SMS features to one extension only.

When the SMS configuration would decide the answer but is not loaded, the state is `unknown`,
never `blocked`: the app does not claim a number is broken because a request failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from rc_sms_desktop.core.formatting import region_of
from rc_sms_desktop.core.models import PhoneNumber, SmsConfiguration
from rc_sms_desktop.core.number_kinds import is_shared, is_toll_free

__all__ = [
    "LINK_ADMIN_PORTAL",
    "LINK_CALL_QUEUE_SMS",
    "LINK_COMPANY_SMS",
    "LINK_TCR",
    "LINK_TOLL_FREE",
    "LOW_VOLUME_DAILY_LIMIT",
    "ConfigState",
    "Fixer",
    "Reason",
    "Severity",
    "State",
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

    @property
    def can_send_sms(self) -> bool:
        return self.sms is State.READY

    @property
    def main_reason(self) -> Reason | None:
        """The reason that explains the headline: why SMS is not ready, else the most severe."""
        if not self.reasons:
            return None
        if self.sms is not State.READY:
            about_sms = [reason for reason in self.reasons if SMS in reason.affects]
            if about_sms:
                return min(about_sms, key=lambda reason: _SEVERITY_RANK[reason.severity])
        return min(self.reasons, key=lambda reason: _SEVERITY_RANK[reason.severity])

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
    """True for a US or Canadian number (where TCR registration applies)."""
    country = number.country
    if country is not None:
        if country.iso_code:
            return country.iso_code.upper() in ("US", "CA")
        if country.name in ("United States", "Canada"):
            return True
    return region_of(number.phone_number) in ("US", "CA")


def _is_active(number: PhoneNumber) -> bool:
    # An absent status is not a porting state: RingCentral omits nothing it means to flag.
    return number.status is None or number.status == "Normal"


def needs_configuration(number: PhoneNumber) -> bool:
    """True when the SMS configuration can change the verdict: a readable, active, voice-capable
    local US/Canadian number that carries `SmsSender`. Everything else is decided by the record."""
    return (
        number.problem is None
        and number.type != "FaxOnly"
        and _is_active(number)
        and "SmsSender" in number.features
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


def _no_sms_feature(number: PhoneNumber, toll_free: bool) -> Reason:
    if toll_free:
        return Reason(
            code="no-sms-feature",
            severity=Severity.ERROR,
            message="This toll-free number is not SMS-enabled (it lacks the SmsSender feature). "
            "Toll-free numbers must pass toll-free verification before they can text.",
            fix="An account admin asks RingCentral support to enable SMS on the number and "
            "complete its toll-free verification.",
            who=Fixer.RINGCENTRAL_SUPPORT,
            link=LINK_TOLL_FREE,
            summary="toll-free number not SMS-enabled",
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
def _brand_not_verified(status: str | None) -> Reason:
    words = _BRAND_BAD_WORDS.get(status or "")
    if words is not None:
        return Reason(
            code="brand-not-verified",
            severity=Severity.ERROR,
            message=f"Your company's SMS brand registration {words} (status “{status}”). A campaign "
            "needs a verified brand.",
            fix="An account admin (a Super Admin) fixes the brand registration in the Admin Portal.",
            who=Fixer.ACCOUNT_ADMIN,
            link=LINK_TCR,
            summary="brand not verified",
        )
    # Unknown or missing: shown, but not treated as a block the guide does not document.
    shown = f"the status “{status}”" if status else "no status"
    return Reason(
        code="brand-not-verified",
        severity=Severity.WARNING,
        message=f"RingCentral reports {shown} for your company's SMS brand, not Verified.",
        fix="If messages fail, an account admin checks the brand registration in the Admin Portal.",
        who=Fixer.ACCOUNT_ADMIN,
        link=LINK_TCR,
        summary="brand not verified",
    )


_DAILY_LIMIT = Reason(
    code="daily-limit",
    severity=Severity.INFO,
    message=f"This campaign is registered as low volume: at most {LOW_VOLUME_DAILY_LIMIT:,} "
    "messages a day to US mobile carriers, counted across all of the company's numbers.",
    fix="If you need more, an account admin can register a standard-volume campaign.",
    who=Fixer.ACCOUNT_ADMIN,
    link=LINK_TCR,
    summary="6,000 messages a day",
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
    )


def _campaign_facts(config: SmsConfiguration | None) -> tuple[tuple[str, ...], int | None]:
    if config is None or config.problem is not None or config.campaign is None:
        return (), None
    campaign = config.campaign
    limit = LOW_VOLUME_DAILY_LIMIT if campaign.registration_tier == "LowVolume" else None
    return campaign.use_cases, limit


def evaluate(
    number: PhoneNumber,
    config: SmsConfiguration | None = None,
    *,
    config_state: ConfigState | None = None,
) -> Verdict:
    """Apply the rules to one number and its SMS configuration (None when not fetched).

    `config_state` defaults to LOADED when a configuration is given, else NOT_LOADED for numbers
    that need one and NOT_NEEDED for the rest.
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
    features = number.features
    toll_free = is_toll_free(number)
    has_a2p = "A2PSmsSender" in features

    inert = False  # fax-only or not active: nothing else matters until that changes
    if number.type == "FaxOnly":
        reasons.append(_FAX_ONLY)
        inert = True
    if not _is_active(number):
        reasons.append(_not_active(number.status or ""))
        inert = True

    sms = State.READY
    if inert:
        sms = State.BLOCKED
    elif "SmsSender" not in features:
        sms = State.BLOCKED
        if has_a2p:
            reasons.append(_HIGH_VOLUME_ONLY)
        elif is_shared(number):
            reasons.append(_assigned_elsewhere(number))
        else:
            reasons.append(_no_sms_feature(number, toll_free))
    elif needs_config:
        sms = _apply_configuration(config, config_state, reasons)

    # Campaign facts are shown whenever a readable configuration is at hand, even where it did
    # not decide the verdict (a toll-free or non-US number someone fetched it for anyway).
    use_cases, daily_limit = _campaign_facts(config)
    if daily_limit is not None and sms is not State.BLOCKED:
        reasons.append(_DAILY_LIMIT)

    # MMS and international follow SMS; their own reasons are shown only when SMS could work.
    mms = international = sms
    if sms is not State.BLOCKED:
        if toll_free:
            reasons.append(_TOLL_FREE_NO_MMS)
            mms = State.BLOCKED
        elif "MmsSender" not in features:
            reasons.append(_NO_MMS_FEATURE)
            mms = State.BLOCKED
        if toll_free:
            reasons.append(_INTERNATIONAL_FROM_TOLL_FREE)
            international = State.BLOCKED
        elif "InternationalSmsSender" not in features:
            reasons.append(_NO_INTERNATIONAL_FEATURE)
            international = State.BLOCKED

    return Verdict(
        number=number,
        config=config,
        sms=sms,
        mms=mms,
        international=international,
        high_volume=State.READY if has_a2p and not inert else State.BLOCKED,
        use_cases=use_cases,
        daily_limit=daily_limit,
        reasons=tuple(reasons),
        config_state=config_state,
    )


def _apply_configuration(
    config: SmsConfiguration | None, config_state: ConfigState, reasons: list[Reason]
) -> State:
    """The TCR rules for a local US/Canadian number with SmsSender; appends reasons."""
    if config_state is ConfigState.LOADING:
        reasons.append(_LOADING)
        return State.UNKNOWN
    if config_state is not ConfigState.LOADED or config is None or config.problem is not None:
        state = ConfigState.FAILED if config_state is ConfigState.LOADED else config_state
        reasons.append(_config_unavailable(state, config.problem if config else None))
        return State.UNKNOWN
    campaign = config.campaign
    if campaign is None:
        reasons.append(_NO_CAMPAIGN)
        return State.BLOCKED
    sms = State.READY
    if campaign.status != "Confirmed":
        reasons.append(_campaign_not_confirmed(campaign.status))
        sms = State.BLOCKED
    brand = config.brand
    if brand is None or brand.status not in _BRAND_GOOD:
        reason = _brand_not_verified(brand.status if brand else None)
        reasons.append(reason)
        if reason.severity is Severity.ERROR:
            sms = State.BLOCKED
    errors = tuple(
        " ".join(part for part in (error.error_code, error.message) if part)
        for error in (*campaign.errors, *(brand.errors if brand else ()))
    )
    errors = tuple(text for text in errors if text)
    if errors:
        reasons.append(_campaign_errors(errors))
    return sms
