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
    "SHARED_OWNER_TYPES",
    "TOLL_FREE_PAYMENT_TYPES",
    "NamedExtension",
    "Ownership",
    "is_shared",
    "is_toll_free",
    "number_kind",
    "ownership",
]

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
    if owner_type == "Department":
        return Ownership(
            owner=_resource_name(number, "Call queue"),
            caller_id="The call queue's members",
            sms_features=picked,
            explanation=(
                "This number belongs to a call queue: its members may show it as caller ID, but "
                f"only {picked} can send and receive SMS with it, for the queue."
            ),
            shared=True,
        )
    if owner_type == "IvrMenu":
        return Ownership(
            owner=_resource_name(number, "IVR menu"),
            caller_id="Every user of the site the IVR belongs to",
            sms_features=picked,
            explanation=(
                "This number belongs to an IVR menu: users of its site may show it as caller ID, "
                f"but only {picked} can send and receive SMS with it."
            ),
            shared=True,
        )
    if owner_type == "Site":
        return Ownership(
            owner=_resource_name(number, "Site"),
            caller_id="Every user under the site",
            sms_features=picked,
            explanation=(
                "This number belongs to a site: its users may show it as caller ID, but only "
                f"{picked} can send and receive SMS with it."
            ),
            shared=True,
        )
    if number.extension is None:
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
