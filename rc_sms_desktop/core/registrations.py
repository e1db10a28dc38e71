"""TCR brands and campaigns in plain words, and the plans for the two fixes an admin can make
from the app: link numbers to a campaign (`linkNumbers`) and choose which extension texts from a
shared number (`bulkAssignSmsRecipients`).

Pure: records in, plans out. A plan says, for every number, what will happen or why it is
refused (a reason code), before any request is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rc_sms_desktop.core.eligibility import (
    LINK_ADMIN_PORTAL,
    LINK_COMPANY_SMS,
    LINK_TCR,
    LINK_TOLL_FREE,
    LOW_VOLUME_DAILY_LIMIT,
    is_us_or_canada,
)
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.models import PhoneNumber
from rc_sms_desktop.core.number_kinds import is_toll_free
from rc_sms_desktop.core.use_cases import describe_use_case

# Reason codes a plan refuses a number or an action with (the names).
TOLL_FREE = "toll-free-not-linkable"
NOT_US_CA = "not-us-ca"
ALREADY_LINKED = "already-linked"
NOT_ACTIVE = "not-active"
FAX_ONLY = "fax-only"
NOT_IN_ACCOUNT = "not-in-account"
CAMPAIGN_NOT_CONFIRMED = "campaign-not-confirmed"
REASSIGN_NOT_SUPPORTED = "reassign-not-supported"
NOT_SHARED = "not-shared"
ALREADY_HOLDS = "already-holds"
NOT_ASSIGNABLE = "extension-not-assignable"
UNKNOWN_EXTENSION = "unknown-extension"

SHARED_OWNER_TYPES = frozenset(("Department", "IvrMenu", "Site"))


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a number or an action is refused, or a warning, with what to do."""

    code: str
    severity: str  # "error" refuses; "warning" informs
    message: str
    fix: str
    phone_number: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "severity": self.severity,
                                "message": self.message, "fix": self.fix}
        if self.phone_number:
            body["phoneNumber"] = self.phone_number
        return body


def _text(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _errors(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    found = []
    for item in value:
        if isinstance(item, dict):
            code, message = _text(item.get("errorCode")), _text(item.get("message"))
            found.append(f"{message} ({code})" if code and message else message or code)
    return tuple(f for f in found if f)


@dataclass(frozen=True, slots=True)
class TcrBrand:
    id: str
    name: str
    status: str
    registration_time: str
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TcrCampaign:
    id: str
    name: str
    status: str
    registration_tier: str
    use_cases: tuple[str, ...]
    registration_time: str
    brand_id: str
    errors: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()  # linked account numbers, as far as the last scan knows

    @property
    def confirmed(self) -> bool:
        return self.status == "Confirmed"


def parse_brand(obj: object) -> TcrBrand | None:
    """A `TcrBrandRecord`; None when it is not an object with an id (never raises)."""
    if not isinstance(obj, dict) or obj.get("id") in (None, ""):
        return None
    return TcrBrand(_text(obj.get("id")), _text(obj.get("name")), _text(obj.get("status")),
                    _text(obj.get("registrationTime")), _errors(obj.get("errors")))


def parse_campaign(obj: object, brand_id: str = "") -> TcrCampaign | None:
    """A `TcrCampaignRecord`; None when it is not an object with an id (never raises)."""
    if not isinstance(obj, dict) or obj.get("id") in (None, ""):
        return None
    brand = obj.get("brand")
    if isinstance(brand, dict) and brand.get("id") not in (None, ""):
        brand_id = _text(brand.get("id"))
    use_cases = obj.get("useCases")
    return TcrCampaign(
        _text(obj.get("id")), _text(obj.get("name")), _text(obj.get("status")),
        _text(obj.get("registrationTier")),
        tuple(_text(u) for u in use_cases) if isinstance(use_cases, list) else (),
        _text(obj.get("registrationTime")), brand_id, _errors(obj.get("errors")))


# --- words -------------------------------------------------------------------------------------

# Neither the spec nor the docs define the statuses beyond their names; the one documented rule
# is "If the SMS campaign's status is anything other than Confirmed, outbound SMS messages from
# that phone number will fail" (developers.ringcentral.com/guide/messaging/sms/sms-requirements).
_CAMPAIGN_WORDS = {
    "Confirmed": "Approved: its numbers can text",
    "Created": "Created, not yet submitted for review",
    "Draft": "A draft, not yet submitted for review",
    "Submitted": "Submitted, waiting for review",
    "UpdateRequested": "Changes submitted, waiting for review",
    "Unconfirmed": "Not approved yet",
    "SubmitFailed": "Rejected: the registration needs fixing",
    "PreventFailed": "Failed pre-vetting: the registration needs fixing",
    "PreVetFailed": "Failed pre-vetting: the registration needs fixing",
    "CampaignSuspended": "Suspended: its numbers cannot text",
    "CampaignExpired": "Expired: renew it to text again",
    "DeleteRequested": "Being deleted",
}
_BRAND_WORDS = {
    "Verified": "Verified",
    "Unverified": "Not verified: campaigns under it cannot be approved",
    "Created": "Created, not yet submitted",
    "Draft": "A draft, not yet submitted",
    "Submitted": "Submitted, waiting for verification",
    "UpdateRequested": "Changes submitted, waiting for verification",
    "SubmitFailed": "Rejected: the registration needs fixing",
    "PreventFailed": "Failed pre-vetting: the registration needs fixing",
    "Suspended": "Suspended",
    "Expired": "Expired",
    "DeleteRequested": "Being deleted",
}


def campaign_status_words(status: str) -> str:
    return _CAMPAIGN_WORDS.get(status, f"“{status}” (a status this app does not know)")


def brand_status_words(status: str) -> str:
    return _BRAND_WORDS.get(status, f"“{status}” (a status this app does not know)")


def tier_words(tier: str) -> str:
    """The registration tier and its daily limit (sms-requirements: LowVolume "Max 6,000 messages
    per day across all numbers"; StandardVolume "More than 6,000")."""
    if tier == "LowVolume":
        return f"Low volume: up to {LOW_VOLUME_DAILY_LIMIT:,} messages a day across all numbers"
    if tier == "StandardVolume":
        return f"Standard volume: more than {LOW_VOLUME_DAILY_LIMIT:,} messages a day"
    return tier or "Not stated"


def use_case_lines(codes: Iterable[str]) -> list[str]:
    return [f"{u.title}: {u.description}" for u in map(describe_use_case, codes)]


def campaign_advice(campaign: TcrCampaign) -> str | None:
    """What a campaign that is not Confirmed means and what to do (None when it is Confirmed)."""
    if campaign.confirmed:
        return None
    return (f"Numbers linked to this campaign cannot text until it is approved "
            f"({campaign_status_words(campaign.status).lower()}). An admin fixes or resubmits the "
            f"registration in the Admin Portal (Phone System → Messaging → 10DLC registration): "
            f"{LINK_TCR}")


def brand_advice(brand: TcrBrand) -> str | None:
    if brand.status in ("Verified", ""):
        return None
    return (f"This brand is {brand_status_words(brand.status).lower()}; its campaigns can be "
            f"approved only once it is verified. An admin fixes it in the Admin Portal: {LINK_TCR}")


# --- linking numbers ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Change:
    """One number's planned or applied change: what it was and what it will be."""

    phone_number: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"phoneNumber": self.phone_number, "before": dict(self.before),
                "after": dict(self.after)}


@dataclass(frozen=True)
class Plan:
    """What an action will do: the changes to send, and the refusals found before any request."""

    action: str  # "link-numbers" or "assign-sms"
    changes: tuple[Change, ...]
    problems: tuple[Problem, ...]
    target: Mapping[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def problem_for(self, phone_number: str) -> Problem | None:
        return next((p for p in self.problems if p.phone_number == phone_number), None)


def _refusal(code: str, number: str, message: str, fix: str) -> Problem:
    return Problem(code, "error", message, fix, number)


def link_refusal(number: PhoneNumber | None, typed: str, campaign: TcrCampaign,
                 current_campaign: str | None) -> Problem | None:
    """Why `number` cannot be linked to `campaign`, or None when it can."""
    shown = format_number(typed) or typed
    if number is None:
        return _refusal(NOT_IN_ACCOUNT, typed, f"{shown} is not a number of this account.",
                        "Check the number; only the account's own numbers can be linked.")
    if number.type == "FaxOnly":
        return _refusal(FAX_ONLY, typed, f"{shown} is a fax-only number: it cannot text.",
                        "Pick a voice number, or change the number's type in the Admin Portal.")
    if is_toll_free(number):
        return _refusal(TOLL_FREE, typed,
                        f"{shown} is toll-free: toll-free numbers are verified, not linked to a "
                        "10DLC campaign.",
                        f"Have the number verified for SMS instead: {LINK_TOLL_FREE}")
    if not is_us_or_canada(number):
        return _refusal(NOT_US_CA, typed,
                        f"{shown} is not a US or Canadian number: TCR campaigns are for those.",
                        "Pick a US or Canadian number.")
    if number.status not in (None, "Normal"):
        return _refusal(NOT_ACTIVE, typed,
                        f"{shown} is not active yet (status “{number.status}”, e.g. still being "
                        "ported in).",
                        "Link it once RingCentral shows it as active (status Normal).")
    if current_campaign == campaign.id:
        return _refusal(ALREADY_LINKED, typed,
                        f"{shown} is already linked to “{campaign.name}”.", "Nothing to do.")
    return None


def plan_link(typed: Sequence[str], numbers: Mapping[str, PhoneNumber],
              current_campaigns: Mapping[str, str | None], campaign: TcrCampaign) -> Plan:
    """Link `typed` (E.164) numbers to `campaign`: refusals first, then one change per number."""
    problems: list[Problem] = []
    changes: list[Change] = []
    if not campaign.confirmed:
        problems.append(Problem(
            CAMPAIGN_NOT_CONFIRMED, "error",
            f"The campaign “{campaign.name or campaign.id}” is "
            f"{campaign_status_words(campaign.status).lower()}: numbers can only be linked to "
            "an approved (Confirmed) campaign.",
            campaign_advice(campaign) or ""))
    for e164 in dict.fromkeys(typed):
        number = numbers.get(e164)
        current = current_campaigns.get(e164)
        refusal = link_refusal(number, e164, campaign, current)
        if refusal is not None:
            problems.append(refusal)
            continue
        changes.append(Change(e164, {"campaign": current},
                              {"campaign": campaign.id, "campaignName": campaign.name}))
    return Plan("link-numbers", tuple(changes), tuple(problems),
                {"campaignId": campaign.id, "brandId": campaign.brand_id,
                 "campaignName": campaign.name})


# --- who texts from a shared number -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Recipient:
    """An extension RingCentral lists for a shared number's SMS (`SmsRecipient`)."""

    id: str
    extension_number: str
    name: str
    type: str
    assignable: bool | None = None
    has_license: bool | None = None

    def describe(self) -> str:
        return f"{self.name} (ext. {self.extension_number})" if self.extension_number else self.name


def parse_recipients(body: object) -> list[Recipient]:
    records = body.get("smsRecipients") if isinstance(body, dict) else None
    found: list[Recipient] = []
    for item in records if isinstance(records, list) else ():
        if isinstance(item, dict) and item.get("id") not in (None, ""):
            assignable, licensed = item.get("assignable"), item.get("hasLicense")
            found.append(Recipient(
                _text(item.get("id")), _text(item.get("extensionNumber")), _text(item.get("name")),
                _text(item.get("extensionType")),
                assignable if isinstance(assignable, bool) else None,
                licensed if isinstance(licensed, bool) else None))
    return found


def plan_assign(typed: str, number: PhoneNumber | None, owner_type: str | None,
                holders: Sequence[Recipient], target: Recipient | None,
                max_items: int = 1) -> Plan:
    """Give the SMS of `number`'s owner (a call queue, IVR or site) to `target` instead of
    `holders`. The main company number has no owning extension to call bulk-assign on."""
    shown = format_number(typed) or typed
    before = {"smsRecipients": [h.describe() for h in holders]}

    def refused(problem: Problem) -> Plan:
        return Plan("assign-sms", (), (problem,))

    if number is None:
        return refused(_refusal(NOT_IN_ACCOUNT, typed, f"{shown} is not a number of this account.",
                                "Check the number."))
    owner_id = number.extension.id if number.extension else None
    if owner_id is None or number.usage_type == "MainCompanyNumber":
        return refused(_refusal(
            REASSIGN_NOT_SUPPORTED, typed,
            f"{shown} belongs to the company (no call queue, IVR or site owns it): RingCentral's "
            "API offers no way to choose who texts from it.",
            f"Choose its SMS recipient in the Admin Portal ({LINK_ADMIN_PORTAL}): "
            f"{LINK_COMPANY_SMS}"))
    if owner_type not in SHARED_OWNER_TYPES:
        return refused(_refusal(NOT_SHARED, typed,
                                f"{shown} belongs to one extension, which texts from it itself.",
                                "Nothing to assign: only call-queue, IVR and site numbers are "
                                "shared."))
    if target is None:
        return refused(_refusal(UNKNOWN_EXTENSION, typed, "That extension was not found.",
                                "Give the extension number of a user of this account."))
    if target.type and target.type not in ("User", "DigitalUser", "ApplicationExtension"):
        return refused(_refusal(NOT_ASSIGNABLE, typed,
                                f"{target.describe()} cannot receive a shared number's texts.",
                                "Pick a user extension."))
    if target.assignable is False:
        return refused(_refusal(NOT_ASSIGNABLE, typed,
                                f"RingCentral says {target.describe()} cannot be assigned.",
                                "Pick another extension."))
    if [h.id for h in holders] == [target.id]:
        return refused(_refusal(ALREADY_HOLDS, typed,
                                f"{target.describe()} already texts from {shown}.",
                                "Nothing to do."))
    removed = [h.id for h in holders if h.id != target.id][:max_items]
    change = Change(typed, before, {"smsRecipients": [target.describe()]})
    return Plan("assign-sms", (change,), (),
                {"ownerId": owner_id, "addedExtensionId": target.id,
                 "removedExtensionIds": ",".join(removed)})
