"""Typed views of RingCentral JSON: phone numbers, SMS configurations, extensions, pages.

Every enum-like field stays an open string: RingCentral adds values and its spec and docs disagree
(the brand status `Verified` is outside the declared enum), so unknown values must survive to be
shown raw. Parsers never raise on a bad record: the record comes back with `problem` set and with
whatever fields could still be read, so one bad row never hides the others.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import (
    AliasPath,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
)

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
    "SmsConfiguration",
    "parse_extension",
    "parse_page",
    "parse_phone_number",
    "parse_sms_configuration",
]


def _id_to_str(value: object) -> object:
    # v1 lists send int64 ids, v2 and sms-configuration send strings: one spelling for lookups.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _null_to_empty(value: object) -> object:
    # `"features": null` means the same as no features at all.
    return () if value is None else value


def _null_to_false(value: object) -> object:
    return False if value is None else value


IdStr = Annotated[str, BeforeValidator(_id_to_str)]
StrTuple = Annotated[tuple[str, ...], BeforeValidator(_null_to_empty)]
Flag = Annotated[StrictBool, BeforeValidator(_null_to_false)]


class _Wire(BaseModel):
    """Shared configuration: frozen, camelCase input, unknown keys ignored."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


class _Record(_Wire):
    """A top-level record: keeps the JSON as received and what was wrong with it."""

    raw: Any = Field(default=None, exclude=True, repr=False)
    problem: str | None = None


class Country(_Wire):
    """The country of a phone number (`isoCode` is absent from some list responses)."""

    id: IdStr | None = None
    iso_code: str | None = Field(default=None, alias="isoCode")
    name: str | None = None


class ExtensionRef(_Wire):
    """The extension (user, call queue, IVR, site…) a phone number is assigned to."""

    id: IdStr | None = None
    extension_number: str | None = Field(default=None, alias="extensionNumber")
    name: str | None = None
    type: str | None = None


class PhoneNumber(_Record):
    """One record of `listExtensionPhoneNumbers` or `listAccountPhoneNumbers`."""

    id: IdStr = ""
    phone_number: str | None = Field(default=None, alias="phoneNumber")
    payment_type: str | None = Field(default=None, alias="paymentType")
    type: str | None = None
    usage_type: str | None = Field(default=None, alias="usageType")
    status: str | None = None
    label: str | None = None
    location: str | None = None
    features: StrTuple = ()
    country: Country | None = None
    extension: ExtensionRef | None = None
    primary: Flag = False


class ApiErrorInfo(_Wire):
    """An error RingCentral attached to a campaign or brand registration."""

    error_code: str | None = Field(default=None, alias="errorCode")
    message: str | None = None


class Campaign(_Wire):
    """The TCR campaign a phone number is linked to (`smsCampaignInfo`)."""

    id: IdStr | None = None
    status: str | None = None
    registration_tier: str | None = Field(default=None, alias="registrationTier")
    use_cases: StrTuple = Field(default=(), alias="useCases")
    errors: Annotated[tuple[ApiErrorInfo, ...], BeforeValidator(_null_to_empty)] = ()


class Brand(_Wire):
    """The TCR brand behind the campaign (`smsBrandInfo`)."""

    id: IdStr | None = None
    status: str | None = None
    errors: Annotated[tuple[ApiErrorInfo, ...], BeforeValidator(_null_to_empty)] = ()


class SmsConfiguration(_Record):
    """The body of `…/phone-number/{id}/sms-configuration`: absent campaign = not linked to TCR."""

    phone_number_id: IdStr | None = Field(default=None, alias="phoneNumberId")
    phone_number: str | None = Field(default=None, alias="phoneNumber")
    campaign: Campaign | None = Field(default=None, alias="smsCampaignInfo")
    brand: Brand | None = Field(default=None, alias="smsBrandInfo")


class Extension(_Record):
    """The signed-in extension (`readExtension`), or one record of `listExtensions`."""

    id: IdStr = ""
    extension_number: str | None = Field(default=None, alias="extensionNumber")
    name: str | None = None
    type: str | None = None
    status: str | None = None
    account_id: IdStr | None = Field(default=None, validation_alias=AliasPath("account", "id"))
    is_admin: StrictBool | None = Field(
        default=None, validation_alias=AliasPath("permissions", "admin", "enabled")
    )
    site_name: str | None = Field(default=None, validation_alias=AliasPath("site", "name"))


class Page(_Wire):
    """One page of a RingCentral list: raw records (parse each one) and where the next page is."""

    records: list[Any] = Field(default_factory=list)
    page: int | None = None
    per_page: int | None = None
    total_pages: int | None = None
    total_elements: int | None = None
    next_page_uri: str | None = None


class MalformedPage(ValueError):
    """The body is not a RingCentral page at all (not an object, or no `records` list)."""


_R = TypeVar("_R", bound=_Record)


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


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(part) for part in error["loc"]) or "record"
        # Tuples are lists in JSON: say so in the message a person reads.
        message = error["msg"].replace("valid tuple", "list").replace("Input should", "should")
        parts.append(f"{where}: {message}, got {_json_kind(error['input'])}")
    more = exc.error_count() - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _parse(model: type[_R], obj: object, what: str) -> _R:
    if not isinstance(obj, dict):
        return model(raw=obj, problem=f"{what} is {_json_kind(obj)}, not a JSON object")
    # `raw` and `problem` go in last, so a record's own keys of those names cannot set them; doing
    # it in one validation (not validate + model_copy) halves the cost for a 10,000-number account.
    try:
        return model.model_validate({**obj, "raw": obj, "problem": None})
    except ValidationError as exc:
        # Keep every field that did read, so the row can still show its number and label.
        problem = _describe(exc)
        bad = {error["loc"][0] for error in exc.errors() if error["loc"]}
        salvaged = {key: value for key, value in obj.items() if key not in bad}
        try:
            return model.model_validate({**salvaged, "raw": obj, "problem": problem})
        except ValidationError:
            return model(raw=obj, problem=problem)


def parse_phone_number(obj: object) -> PhoneNumber:
    """Read one phone-number record; never raises (a bad record gets `problem`)."""
    number = _parse(PhoneNumber, obj, "the phone number record")
    if number.problem is None and not number.id:
        return number.model_copy(update={"problem": "the record has no id"})
    return number


def parse_sms_configuration(obj: object) -> SmsConfiguration:
    """Read an sms-configuration body; never raises.

    An error body (`{"errors": [...]}`) must not pass for "no campaign", so it becomes a problem.
    """
    if (
        isinstance(obj, dict)
        and "errors" in obj
        and not {"phoneNumberId", "smsCampaignInfo", "smsBrandInfo"} & obj.keys()
    ):
        errors = obj["errors"]
        first = errors[0] if isinstance(errors, list) and errors else None
        detail = ""
        if isinstance(first, dict):
            detail = ": " + " ".join(
                str(first[key]) for key in ("errorCode", "message") if first.get(key)
            )
        return SmsConfiguration(raw=obj, problem=f"RingCentral returned an error{detail}")
    return _parse(SmsConfiguration, obj, "the SMS configuration")


def parse_extension(obj: object) -> Extension:
    """Read an extension body (`readExtension` or a `listExtensions` record); never raises."""
    return _parse(Extension, obj, "the extension record")


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
