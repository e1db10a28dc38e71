"""What kind of number this is, and who owns it, gets its caller ID and its SMS (the guide's table).

The guide: a number assigned to a user extension gives that user everything; a number owned by
the company auto-receptionist, a call queue, an IVR or a site gives caller ID to many people but
its SMS features to exactly one extension that an admin picks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rc_sms_desktop.core.models import PhoneNumber

__all__ = [
    "COMPANY_USAGE_TYPES",
    "NEVER_TEXTS_USAGE_TYPES",
    "SHARED_OWNER_TYPES",
    "TOLL_FREE_PAYMENT_TYPES",
    "US_OR_CANADA_REGIONS",
    "NamedExtension",
    "Ownership",
    "cannot_text_kind",
    "is_shared",
    "is_toll_free",
    "is_us_or_canada_region",
    "number_kind",
    "ownership",
]

# "US or Canada", the one definition the sender rules (TCR registration, High Volume) and the
# recipient rules (domestic or international) share. The US territories in the North American
# Numbering Plan (Puerto Rico, US Virgin Islands, Guam, American Samoa, Northern Mariana Islands)
# are numbered as US area codes by NANPA (https://nationalnanpa.com/area_codes/index.html) and
# their carriers are US carriers under the same 10DLC rules, so they count as the US. The other
# +1 countries (Jamaica, the Bahamas, the Dominican Republic…) are separate countries: a number
# there is neither TCR-registered nor domestic for a US sender. Tests prove both rule sets agree.
US_OR_CANADA_REGIONS = frozenset({"US", "CA", "PR", "VI", "GU", "AS", "MP"})


def is_us_or_canada_region(region: str | None) -> bool:
    """True for an ISO region code of the US (with its NANP territories) or Canada."""
    return region is not None and region.upper() in US_OR_CANADA_REGIONS

COMPANY_USAGE_TYPES = frozenset({"MainCompanyNumber", "CompanyNumber", "AdditionalCompanyNumber"})
# Extension types that own numbers for many people; `Department` is the legacy name of call queue.
SHARED_OWNER_TYPES = frozenset({"Department", "IvrMenu", "Site"})
TOLL_FREE_PAYMENT_TYPES = frozenset({"TollFree", "ExternalNumberProviderTollFree"})
# North American toll-free area codes in service (822, 880-887, 889 are reserved, not issued).
_NANP_TOLL_FREE_PREFIXES = frozenset(f"+1{code}" for code in ("800", "833", "844", "855", "866", "877", "888"))
_MOBILE_USAGE_TYPES = frozenset({
    "BusinessMobileNumber", "FmcBusinessMobileNumber", "InventoryFmcBusinessMobileNumber",
    "PartnerBusinessMobileNumber", "NumberPoolPartnerBusinessMobileNumber", "InventoryMobileNumber",
})
_FORWARDED_USAGE_TYPES = frozenset({"ForwardedNumber", "ForwardedCompanyNumber"})

# Kinds of number that never text, whatever their features say. RingCentral's usage types
# (https://developers.ringcentral.com/guide/account/phone-numbers): a forwarded number is another
# carrier's number that forwards calls to RingCentral, and the spec's PlatformPaymentType says
# `External` "is returned for forwarded numbers which are not terminated in the RingCentral phone
# system" (listExtensionPhoneNumbers): RingCentral cannot send a text from a number it does not
# terminate. A company fax number is fax only; ELIN numbers identify an emergency location for
# 911; conferencing and meetings numbers are dial-in numbers; a contact-center number routes calls
# to the contact center (CCRN). RingCentral's SMS guide
# (https://developers.ringcentral.com/guide/messaging/sms/sms-requirements) enables SMS only on
# local and toll-free business numbers, through TCR or toll-free verification, none of these.
NEVER_TEXTS_USAGE_TYPES = frozenset({
    *_FORWARDED_USAGE_TYPES, "CompanyFaxNumber", "ELIN", "ConferencingNumber", "MeetingsNumber",
    "ContactCenterNumber",
})
# Usage types RingCentral's SMS guide documents: company and direct business numbers. Any other
# kind (business mobile numbers, integration numbers, values added later) is undocumented for
# SMS: its features still decide (RingCentral attaches SmsSender only where SMS works), but
# without SmsSender it is not told to register with TCR, which cannot help it.
_DOCUMENTED_SMS_USAGE_TYPES = frozenset({*COMPANY_USAGE_TYPES, "DirectNumber"})


def cannot_text_kind(number: PhoneNumber) -> str | None:
    """Why this kind of number can never text (a few words), or None when it may.

    A number of a kind not documented for SMS is "cannot text" only while it lacks `SmsSender`.
    """
    if number.payment_type == "External":
        return "a forwarded number that RingCentral does not terminate"
    usage = number.usage_type
    if usage in _FORWARDED_USAGE_TYPES:
        return "a forwarded number (another carrier's number forwarding calls to RingCentral)"
    if usage in NEVER_TEXTS_USAGE_TYPES:
        return {
            "CompanyFaxNumber": "a company fax number",
            "ELIN": "an emergency location (ELIN) number",
            "ConferencingNumber": "a conferencing dial-in number",
            "MeetingsNumber": "a meetings dial-in number",
            "ContactCenterNumber": "a contact-center routing number",
        }[usage]
    sms_features = {"SmsSender", "A2PSmsSender"} & set(number.features)
    if usage is not None and usage not in _DOCUMENTED_SMS_USAGE_TYPES and not sms_features:
        return f"a number of a kind RingCentral does not document for SMS (“{usage}”)"
    return None


def is_toll_free(number: PhoneNumber) -> bool:
    """True for toll-free numbers, by payment type or by a North American toll-free prefix."""
    if number.payment_type in TOLL_FREE_PAYMENT_TYPES:
        return True
    phone = number.phone_number
    return phone is not None and phone[:5] in _NANP_TOLL_FREE_PREFIXES


def _owner_type(number: PhoneNumber) -> str | None:
    return number.extension.type if number.extension is not None else None


def is_shared(number: PhoneNumber) -> bool:
    """True when the number belongs to a common resource whose SMS goes to one chosen extension."""
    return number.usage_type in COMPANY_USAGE_TYPES or _owner_type(number) in SHARED_OWNER_TYPES


def number_kind(number: PhoneNumber) -> str:
    """A short label: "Direct", "Main company", "Company", "Toll-free", "Call queue", "IVR",
    "Site", "Fax", "Mobile", "Forwarded", or the raw `usageType` when none of those fits."""
    usage = number.usage_type
    owner = _owner_type(number)
    if usage == "MainCompanyNumber":
        return "Main company"
    if usage == "CompanyFaxNumber" or number.type == "FaxOnly":
        return "Fax"
    if owner == "Department":
        return "Call queue"
    if owner == "IvrMenu":
        return "IVR"
    if owner == "Site":
        return "Site"
    if is_toll_free(number):
        return "Toll-free"
    if usage in COMPANY_USAGE_TYPES:
        return "Company"
    if usage == "DirectNumber":
        return "Direct"
    if usage in _MOBILE_USAGE_TYPES or number.payment_type == "Mobile":
        return "Mobile"
    if usage in _FORWARDED_USAGE_TYPES:
        return "Forwarded"
    return usage or "Unknown"


@dataclass(frozen=True, slots=True)
class Ownership:
    """Who owns a number, who may use it as caller ID, who gets its SMS, and why (one sentence)."""

    owner: str
    caller_id: str
    sms_features: str
    explanation: str
    shared: bool


class NamedExtension(Protocol):
    """Anything that names an extension: `ExtensionRef`, `Extension`, or a caller's summary."""

    @property
    def name(self) -> str | None: ...

    @property
    def extension_number(self) -> str | None: ...


def _holder_name(holder: NamedExtension | str | None) -> str | None:
    if holder is None or isinstance(holder, str):
        return holder or None
    if holder.name and holder.extension_number:
        return f"{holder.name} (ext. {holder.extension_number})"
    return holder.name or (f"ext. {holder.extension_number}" if holder.extension_number else None)


def _resource_name(number: PhoneNumber, fallback: str) -> str:
    ref = number.extension
    name = _holder_name(ref) if ref is not None else None
    return f"{fallback} {name}" if name else fallback


# The shared owners of the guide's table, by extension type: (what the owner is called, who
# may show the number as caller ID, the explanation, where {picked} names the SMS holder).
_SHARED_OWNERS: dict[str, tuple[str, str, str]] = {
    "Department": (
        "Call queue",
        "The call queue's members",
        "This number belongs to a call queue: its members may show it as caller ID, but "
        "only {picked} can send and receive SMS with it, for the queue.",
    ),
    "IvrMenu": (
        "IVR menu",
        "Every user of the site the IVR belongs to",
        "This number belongs to an IVR menu: users of its site may show it as caller ID, "
        "but only {picked} can send and receive SMS with it.",
    ),
    "Site": (
        "Site",
        "Every user under the site",
        "This number belongs to a site: its users may show it as caller ID, but only "
        "{picked} can send and receive SMS with it.",
    ),
}


def ownership(
    number: PhoneNumber,
    sms_holder: NamedExtension | str | None = None,
    *,
    holder: NamedExtension | str | None = None,
) -> Ownership:
    """Apply the guide's ownership table to `number`.

    `sms_holder` (alias `holder`) is the extension known to hold the number's SMS features, when
    the caller has looked it up; otherwise the text says an admin picks one extension.
    """
    chosen = _holder_name(sms_holder if sms_holder is not None else holder)
    picked = chosen or "one extension an account admin picks (a user or a call queue)"
    owner_type = _owner_type(number)
    if number.usage_type in COMPANY_USAGE_TYPES:
        return Ownership(
            owner="The company (auto-receptionist)",
            caller_id="Every extension in the account",
            sms_features=picked,
            explanation=(
                "Company numbers belong to the auto-receptionist: everyone may show them as caller "
                f"ID, but only {picked} can send and receive SMS with them."
            ),
            shared=True,
        )
    if owner_type in _SHARED_OWNERS:
        kind, caller_id, explanation = _SHARED_OWNERS[owner_type]
        return Ownership(
            owner=_resource_name(number, kind),
            caller_id=caller_id,
            sms_features=picked,
            explanation=explanation.format(picked=picked),
            shared=True,
        )
    if number.extension is None:
        if "SmsSender" not in number.features and chosen is None:
            # The spec lets the `extension` object be absent from a user's list: then a number
            # the user can only show as caller ID may be another extension's, or theirs without
            # SMS. Say what is known, never "yours".
            return Ownership(
                owner="Not reported by RingCentral",
                caller_id="This extension (it is on its number list)",
                sms_features="Another extension, or nobody: the number is not SMS-enabled here",
                explanation=(
                    "RingCentral lists this number for caller ID only and did not say which "
                    "extension it belongs to: either another extension holds its SMS features, or "
                    "it is not SMS-enabled. An admin's Account tab shows who owns it."
                ),
                shared=False,
            )
        owner = "This extension"
    elif owner_type in (None, "User"):
        owner = _resource_name(number, "User extension")
    else:  # another kind of extension (a fax user, an application…): name its type as given
        owner = _resource_name(number, f"{owner_type} extension")
    return Ownership(
        owner=owner,
        caller_id="The extension it is assigned to",
        sms_features="The extension it is assigned to",
        explanation=(
            "This number is assigned directly to one extension, which gets all its features: "
            "calls, caller ID and, if the number is SMS-enabled, SMS."
        ),
        shared=False,
    )
