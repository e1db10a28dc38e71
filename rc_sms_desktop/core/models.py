"""Typed views of RingCentral JSON: phone numbers, SMS configurations, extensions, pages.

Every enum-like field stays an open string: RingCentral adds values and its spec and docs disagree
(the brand status `Verified` is outside the declared enum), so unknown values must survive to be
shown raw. Parsers never raise on a bad record: the record comes back with `problem` set and with
whatever fields could still be read, so one bad row never hides the others.

Each field is read on its own by `_Fields`, which notes a wrong-typed value and carries on. A
validation library would reject the whole record and need a second pass to salvage the rest;
importing pydantic and building its models also cost ~75 ms of a ~0.4 s start-up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rc_sms_desktop.core.text_safety import is_dialable, without_bidi_controls

__all__ = [
    "ApiErrorInfo",
    "Brand",
    "Campaign",
    "Country",
    "Extension",
    "ExtensionRef",
    "MalformedPage",
    "Page",
    "PhoneNumber",
    "ServiceFeature",
    "SmsConfiguration",
    "parse_extension",
    "parse_page",
    "parse_phone_number",
    "parse_sms_configuration",
    "record_id",
]

_T = TypeVar("_T")
_MAX_REPORTED = 3  # problems named in `problem`; the rest are counted


@dataclass(frozen=True, slots=True)
class Country:
    """The country of a phone number (`isoCode` is absent from some list responses)."""

    id: str | None = None
    iso_code: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ExtensionRef:
    """The extension (user, call queue, IVR, site…) a phone number is assigned to."""

    id: str | None = None
    extension_number: str | None = None
    name: str | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class ApiErrorInfo:
    """An error RingCentral attached to a campaign or brand registration."""

    error_code: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Campaign:
    """The TCR campaign a phone number is linked to (`smsCampaignInfo`)."""

    id: str | None = None
    status: str | None = None
    registration_tier: str | None = None
    use_cases: tuple[str, ...] = ()
    errors: tuple[ApiErrorInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class Brand:
    """The TCR brand behind the campaign (`smsBrandInfo`)."""

    id: str | None = None
    status: str | None = None
    errors: tuple[ApiErrorInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """One record of `listExtensionPhoneNumbers` or `listAccountPhoneNumbers`.

    `raw` is the JSON as received; `problem` says what could not be read (None when all could).
    """

    id: str = ""
    phone_number: str | None = None
    payment_type: str | None = None
    type: str | None = None
    usage_type: str | None = None
    status: str | None = None
    label: str | None = None
    location: str | None = None
    features: tuple[str, ...] = ()
    country: Country | None = None
    extension: ExtensionRef | None = None
    primary: bool = False
    raw: Any = field(default=None, repr=False, compare=False)
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class SmsConfiguration:
    """The body of `…/phone-number/{id}/sms-configuration`: absent campaign = not linked to TCR."""

    phone_number_id: str | None = None
    phone_number: str | None = None
    campaign: Campaign | None = None
    brand: Brand | None = None
    raw: Any = field(default=None, repr=False, compare=False)
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceFeature:
    """One of `readExtension`'s `serviceFeatures`: may this user use `name` (`SMS`, `MMS`…)?

    `reason` is RingCentral's words for a disabled feature (a string in ExtensionServiceFeatureInfo,
    returned only when `enabled` is false).
    """

    name: str
    enabled: bool | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Extension:
    """The signed-in extension (`readExtension`), or one record of `listExtensions`.

    `service_features` is None when RingCentral sent none: it returns them only for the signed-in
    user's own extension, so their absence says nothing about what the user may do.
    """

    id: str = ""
    extension_number: str | None = None
    name: str | None = None
    type: str | None = None
    status: str | None = None
    account_id: str | None = None  # account.id
    is_admin: bool | None = None  # permissions.admin.enabled
    site_name: str | None = None  # site.name
    service_features: tuple[ServiceFeature, ...] | None = None
    raw: Any = field(default=None, repr=False, compare=False)
    problem: str | None = None

    def service_feature(self, name: str) -> ServiceFeature | None:
        """The named service feature, or None when RingCentral did not report it."""
        for feature in self.service_features or ():
            if feature.name == name:
                return feature
        return None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a RingCentral list: raw records (parse each one) and where the next page is."""

    records: list[Any] = field(default_factory=list)
    page: int | None = None
    per_page: int | None = None
    total_pages: int | None = None
    total_elements: int | None = None
    next_page_uri: str | None = None


class MalformedPage(ValueError):
    """The body is not a RingCentral page at all (not an object, or no `records` list)."""


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class _Fields:
    """Reads the fields of one JSON object; a wrong-typed value is noted and read as absent.

    `where` prefixes the JSON path in what is noted (`extension.id`), so a person can find it.
    """

    __slots__ = ("_obj", "_where", "errors")

    def __init__(self, obj: dict[str, Any], where: str = "", errors: list[str] | None = None) -> None:
        self._obj = obj
        self._where = where
        self.errors: list[str] = [] if errors is None else errors

    def _wrong(self, key: str, expected: str, value: object) -> None:
        self.errors.append(f"{self._where}{key}: should be {expected}, got {_json_kind(value)}")

    def text(self, key: str) -> str | None:
        value = self._obj.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            # Bidi controls in a label or name would reorder what is shown beside it (a number,
            # the app's own words); `raw` keeps the exact text (core/text_safety.py).
            return without_bidi_controls(value)
        self._wrong(key, "a string", value)
        return None

    def ident(self, key: str) -> str | None:
        # v1 lists send int64 ids, v2 and sms-configuration send strings: one spelling for lookups.
        value = self._obj.get(key)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        self._wrong(key, "a string or a whole number", value)
        return None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._obj.get(key)
        if value is None:  # `"features": null` means the same as no features at all
            return ()
        if not isinstance(value, list):
            self._wrong(key, "a list", value)
            return ()
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self._wrong(f"{key}.{index}", "a string", item)
                return ()
        return tuple(without_bidi_controls(item) for item in value)

    def flag(self, key: str) -> bool | None:
        value = self._obj.get(key)
        if value is None or isinstance(value, bool):
            return value
        self._wrong(key, "true or false", value)
        return None

    def nested(self, key: str, read: Callable[[_Fields], _T]) -> _T | None:
        value = self._obj.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self._wrong(key, "an object", value)
            return None
        return read(_Fields(value, f"{self._where}{key}.", self.errors))

    def nested_list(self, key: str, read: Callable[[_Fields], _T]) -> tuple[_T, ...]:
        value = self._obj.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self._wrong(key, "a list", value)
            return ()
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self._wrong(f"{key}.{index}", "an object", item)
                continue
            items.append(read(_Fields(item, f"{self._where}{key}.{index}.", self.errors)))
        return tuple(items)

    def inner(self, *path: str) -> _Fields | None:
        """The object at `path` (`"account"` → account's fields), None where the path stops."""
        value: Any = self._obj
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, dict):
            return None
        return _Fields(value, self._where + "".join(f"{part}." for part in path), self.errors)

    def problem(self) -> str | None:
        if not self.errors:
            return None
        shown = self.errors[:_MAX_REPORTED]
        more = len(self.errors) - len(shown)
        return "; ".join(shown + ([f"and {more} more"] if more > 0 else []))


def _country(f: _Fields) -> Country:
    return Country(id=f.ident("id"), iso_code=f.text("isoCode"), name=f.text("name"))


def _extension_ref(f: _Fields) -> ExtensionRef:
    return ExtensionRef(
        id=f.ident("id"),
        extension_number=f.text("extensionNumber"),
        name=f.text("name"),
        type=f.text("type"),
    )


def _api_error(f: _Fields) -> ApiErrorInfo:
    return ApiErrorInfo(error_code=f.text("errorCode"), message=f.text("message"))


def _campaign(f: _Fields) -> Campaign:
    return Campaign(
        id=f.ident("id"),
        status=f.text("status"),
        registration_tier=f.text("registrationTier"),
        use_cases=f.texts("useCases"),
        errors=f.nested_list("errors", _api_error),
    )


def _brand(f: _Fields) -> Brand:
    return Brand(id=f.ident("id"), status=f.text("status"), errors=f.nested_list("errors", _api_error))


def _service_feature(f: _Fields) -> ServiceFeature:
    return ServiceFeature(name=f.text("featureName") or "", enabled=f.flag("enabled"), reason=f.text("reason"))


def _not_an_object(what: str, obj: object) -> str:
    return f"{what} is {_json_kind(obj)}, not a JSON object"


def parse_phone_number(obj: object) -> PhoneNumber:
    """Read one phone-number record; never raises (a bad record gets `problem`)."""
    if not isinstance(obj, dict):
        return PhoneNumber(raw=obj, problem=_not_an_object("the phone number record", obj))
    f = _Fields(obj)
    number = PhoneNumber(
        id=f.ident("id") or "",
        phone_number=f.text("phoneNumber"),
        payment_type=f.text("paymentType"),
        type=f.text("type"),
        usage_type=f.text("usageType"),
        status=f.text("status"),
        label=f.text("label"),
        location=f.text("location"),
        features=f.texts("features"),
        country=f.nested("country", _country),
        extension=f.nested("extension", _extension_ref),
        primary=f.flag("primary") or False,
        raw=obj,
        problem=f.problem(),
    )
    if number.problem is None and not number.id:
        return dataclasses.replace(number, problem="the record has no id")
    raw_number = obj.get("phoneNumber")
    if number.problem is None and isinstance(raw_number, str) and not is_dialable(raw_number):
        # E.164 is `+` and digits (PhoneNumberInfo.phoneNumber); anything else (a bidi override,
        # spaces, letters) could show one number as another, so the record is not trusted.
        return dataclasses.replace(number, problem="phoneNumber: should be + and digits only")
    return number


def parse_sms_configuration(obj: object) -> SmsConfiguration:
    """Read an sms-configuration body; never raises.

    An error body (`{"errors": [...]}`) must not pass for "no campaign", so it becomes a problem.
    """
    if not isinstance(obj, dict):
        return SmsConfiguration(raw=obj, problem=_not_an_object("the SMS configuration", obj))
    if "errors" in obj and not {"phoneNumberId", "smsCampaignInfo", "smsBrandInfo"} & obj.keys():
        errors = obj["errors"]
        first = errors[0] if isinstance(errors, list) and errors else None
        detail = ""
        if isinstance(first, dict):
            detail = ": " + " ".join(
                str(first[key]) for key in ("errorCode", "message") if first.get(key)
            )
        return SmsConfiguration(raw=obj, problem=f"RingCentral returned an error{detail}")
    f = _Fields(obj)
    return SmsConfiguration(
        phone_number_id=f.ident("phoneNumberId"),
        phone_number=f.text("phoneNumber"),
        campaign=f.nested("smsCampaignInfo", _campaign),
        brand=f.nested("smsBrandInfo", _brand),
        raw=obj,
        problem=f.problem(),
    )


def parse_extension(obj: object) -> Extension:
    """Read an extension body (`readExtension` or a `listExtensions` record); never raises."""
    if not isinstance(obj, dict):
        return Extension(raw=obj, problem=_not_an_object("the extension record", obj))
    f = _Fields(obj)
    account = f.inner("account")
    admin = f.inner("permissions", "admin")
    site = f.inner("site")
    return Extension(
        id=f.ident("id") or "",
        extension_number=f.text("extensionNumber"),
        name=f.text("name"),
        type=f.text("type"),
        status=f.text("status"),
        account_id=account.ident("id") if account else None,
        is_admin=admin.flag("enabled") if admin else None,
        site_name=site.text("name") if site else None,
        service_features=(
            f.nested_list("serviceFeatures", _service_feature) if obj.get("serviceFeatures") is not None else None
        ),
        raw=obj,
        problem=f.problem(),
    )


def record_id(record: object) -> str | None:
    """A JSON record's non-empty `id` as text (lists send int64 ids, other answers strings), or
    None when it is not an object or has no such id. Reads an answer without parsing it all."""
    if isinstance(record, dict):
        value = record.get("id")
        if isinstance(value, int | str) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_page(obj: object) -> Page:
    """Read a paging envelope; raises `MalformedPage` only when `obj` is not a page at all.

    A damaged `paging` or `navigation` block is ignored: the records are what matter.
    """
    if not isinstance(obj, dict):
        raise MalformedPage(f"expected a JSON object with records, got {_json_kind(obj)}")
    records = obj.get("records")
    if not isinstance(records, list):
        raise MalformedPage(
            "the object has no records list"
            if records is None
            else f"records is {_json_kind(records)}, not a list"
        )
    paging = obj.get("paging")
    paging = paging if isinstance(paging, dict) else {}
    navigation = obj.get("navigation")
    next_page = navigation.get("nextPage") if isinstance(navigation, dict) else None
    next_uri = next_page.get("uri") if isinstance(next_page, dict) else None
    return Page(
        records=records,
        page=_int_or_none(paging.get("page")),
        per_page=_int_or_none(paging.get("perPage")),
        total_pages=_int_or_none(paging.get("totalPages")),
        total_elements=_int_or_none(paging.get("totalElements")),
        next_page_uri=next_uri if isinstance(next_uri, str) else None,
    )
