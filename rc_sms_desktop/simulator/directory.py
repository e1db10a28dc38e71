"""Account, extension and phone-number endpoints (listExtensionPhoneNumbers, smsConfigurationInfo, listAccountPhoneNumbers, listExtensions), answered from the demo account."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rc_sms_desktop.simulator.asgi import JSONResponse, Request, Response
from rc_sms_desktop.simulator.control import SimulatorControl
from rc_sms_desktop.simulator.demo_account import COUNTRIES, Account, Extension, PhoneNumber
from rc_sms_desktop.simulator.error_bodies import (
    api_error,
    invalid_parameter,
    not_found,
    permission_required,
)

T = TypeVar("T")

# Enums the spec declares for the query parameters we validate (listExtensionPhoneNumbers; listAccountPhoneNumbers; listExtensions, readExtension).
USAGE_TYPES = frozenset((
    "MainCompanyNumber", "AdditionalCompanyNumber", "CompanyNumber", "DirectNumber",
    "CompanyFaxNumber", "FmcBusinessMobileNumber", "InventoryFmcBusinessMobileNumber",
    "ForwardedNumber", "ForwardedCompanyNumber", "ContactCenterNumber", "ConferencingNumber",
    "MeetingsNumber", "NumberPool", "BusinessMobileNumber", "ELIN", "PartnerBusinessMobileNumber",
    "NumberPoolPartnerBusinessMobileNumber", "NumberStorage", "IntegrationNumber",
    "InventoryMobileNumber",
))
NUMBER_STATUSES = frozenset(("Normal", "Pending", "PortedIn", "Temporary", "Unknown"))
PAYMENT_TYPES = frozenset(("External", "TollFree", "Local", "BusinessMobileNumberProvider",
                           "ExternalNumberProvider", "ExternalNumberProviderTollFree", "Mobile"))
EXTENSION_TYPES = frozenset((
    "User", "Department", "Announcement", "Voicemail", "DigitalUser", "VirtualUser", "FaxUser",
    "PagingOnly", "SharedLinesGroup", "DelegatedLinesGroup", "GroupCallPickup", "IvrMenu",
    "ApplicationExtension", "ProxyAdmin", "RoomConnector", "ParkLocation", "Limited", "Bot",
    "Site", "Room", "FlexibleUser", "TieLine", "Unknown",
))
EXTENSION_STATUSES = frozenset(("Enabled", "Disabled", "Frozen", "NotActivated", "Unassigned"))
# Numbers of these usage types are never listed (listExtensionPhoneNumbers, PhoneNumberUsageType description).
UNLISTED_USAGE = frozenset(("NumberPool", "NumberStorage"))
MAIN_SITE_ID = "main-site"


def control_of(request: Request) -> SimulatorControl:
    control: SimulatorControl = request.app.state.simulator
    return control


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _account(request: Request) -> Account | Response:
    account = control_of(request).account
    if request.path_params["accountId"] not in ("~", str(account.id)):
        return not_found("accountId")
    return account


def _extension(request: Request, account: Account) -> Extension | Response:
    raw = request.path_params["extensionId"]
    if raw == "~":
        session = request.state.session
        found = account.extension(session.owner_id)
    elif raw.isdigit():
        found = account.extension(int(raw))
    else:
        return invalid_parameter("extensionId")
    return found if found is not None else not_found("extensionId")


def _paging(request: Request) -> tuple[int, int] | Response:
    values: dict[str, int] = {}
    for name, default, high in (("page", 1, None), ("perPage", 100, 1000)):
        raw = request.query_params.getlist(name)
        if len(raw) > 1:
            return invalid_parameter(name)
        text = raw[0] if raw else str(default)
        if not text.isdigit() or int(text) < 1 or (high is not None and int(text) > high):
            return invalid_parameter(name)
        values[name] = int(text)
    return values["page"], values["perPage"]


def _enum_filter(request: Request, name: str, allowed: frozenset[str],
                 single: bool = False) -> list[str] | Response:
    values = request.query_params.getlist(name)
    if (single and len(values) > 1) or any(v not in allowed for v in values):
        return invalid_parameter(name)
    return values


def paged(request: Request, items: Sequence[T], page: int, per_page: int,
          render: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """A RingCentral list page: `records`, `paging` and absolute `navigation` URIs (the spec's list responses, e.g. listExtensionPhoneNumbers)."""
    total = len(items)
    total_pages = (total + per_page - 1) // per_page
    start = (page - 1) * per_page
    chunk = items[start:start + per_page]
    paging: dict[str, Any] = {"perPage": per_page, "totalPages": total_pages,
                              "totalElements": total}
    if total:
        paging["page"] = page
    if chunk:
        paging["pageStart"] = start
        paging["pageEnd"] = start + len(chunk) - 1

    def link(number: int) -> dict[str, str]:
        return {"uri": str(request.url.include_query_params(page=number, perPage=per_page))}

    navigation: dict[str, Any] = {}
    if total_pages:
        navigation["firstPage"] = link(1)
        navigation["lastPage"] = link(total_pages)
        if page < total_pages:
            navigation["nextPage"] = link(page + 1)
        if 1 < page <= total_pages:
            navigation["previousPage"] = link(page - 1)
    return {"uri": str(request.url), "records": [render(item) for item in chunk],
            "paging": paging, "navigation": navigation}


# --- renderers ----------------------------------------------------------------------------------

def _country(base: str, number: PhoneNumber) -> dict[str, str]:
    # CountryInfoBasicModel (listExtensionPhoneNumbers): id, uri and name; no isoCode.
    country_id, name = COUNTRIES[number.country]
    return {"id": country_id, "uri": f"{base}/restapi/v1.0/dictionary/country/{country_id}",
            "name": name}


def _site(base: str, account: Account, site_id: int | None) -> dict[str, str]:
    if site_id is None:
        return {"id": MAIN_SITE_ID, "name": account.company_name,
                "uri": f"{base}/restapi/v1.0/account/{account.id}/sites/{MAIN_SITE_ID}"}
    site = account.extension(site_id)
    return {"id": str(site_id), "name": site.name if site else "",
            "code": site.extension_number if site else "",
            "uri": f"{base}/restapi/v1.0/account/{account.id}/sites/{site_id}"}


def extension_uri(base: str, account: Account, ext_id: int) -> str:
    return f"{base}/restapi/v1.0/account/{account.id}/extension/{ext_id}"


def render_extension(base: str, account: Account, ext: Extension, own: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uri": extension_uri(base, account, ext.id),
        "id": ext.id,
        "extensionNumber": ext.extension_number,
        "name": ext.name,
        "type": ext.type,
        "status": ext.status,
        "hidden": False,
        "account": {"id": str(account.id),
                    "uri": f"{base}/restapi/v1.0/account/{account.id}"},
    }
    contact: dict[str, Any] = {"company": account.company_name}
    if ext.type == "User":
        contact.update(firstName=ext.first_name or "", lastName=ext.last_name or "",
                       email=ext.email or "", emailAsLoginName=True)
        if ext.job_title:
            contact["jobTitle"] = ext.job_title
        body["permissions"] = {"admin": {"enabled": ext.admin},
                               "internationalCalling": {"enabled": True}}
    else:
        contact["firstName"] = ext.name
    body["contact"] = contact
    if ext.type != "Site":
        body["site"] = _site(base, account, ext.site_id)
    if own:
        body["setupWizardState"] = "Completed"
        # serviceFeatures only come with the signed-in user's own extension (listExtensions, readExtension).
        # A feature the user's role lacks is `enabled: false` with a reason (the spec's
        # ExtensionServiceFeatureInfo; `InsufficientPermissions`: "required permission is not
        # granted", readExtensionFeatures).
        body["serviceFeatures"] = [
            {"featureName": name, "enabled": False, "reason": "InsufficientPermissions"}
            if name in ext.features_off else {"featureName": name, "enabled": True}
            for name in ("SMS", "SMSReceiving", "MMS", "InternationalSMS", "Pager",
                         "PagerReceiving")
        ]
    return body


def _owner_ref(base: str, account: Account, number: PhoneNumber,
               with_type: bool) -> dict[str, Any] | None:
    if number.owner_id is None:
        return None  # company numbers belong to the auto-receptionist: no extension object
    owner = account.extension(number.owner_id)
    if owner is None:
        return None
    ref: dict[str, Any] = {"id": owner.id, "uri": extension_uri(base, account, owner.id),
                           "extensionNumber": owner.extension_number, "name": owner.name}
    if with_type:
        ref["type"] = owner.type
    return ref


def _number_common(base: str, account: Account, number: PhoneNumber) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uri": f"{base}/restapi/v1.0/account/{account.id}/phone-number/{number.id}",
        "id": number.id,
        "phoneNumber": number.phone_number,
        "paymentType": number.payment_type,
        "type": number.type,
        "usageType": number.usage_type,
        "status": number.status,
        "primary": number.primary,
    }
    if number.label:
        body["label"] = number.label
    if number.location:
        body["location"] = number.location
    return body


def render_user_number(base: str, account: Account, ext: Extension, number: PhoneNumber,
                       features: Sequence[str]) -> dict[str, Any]:
    """A `UserPhoneNumberInfo` record: features, and the owner when it is another extension."""
    body = _number_common(base, account, number)
    body["country"] = _country(base, number)
    body["features"] = list(features)
    if number.owner_id != ext.id:
        owner = _owner_ref(base, account, number, with_type=True)
        if owner is not None:
            body["extension"] = owner
    return body


def render_company_number(base: str, account: Account, number: PhoneNumber) -> dict[str, Any]:
    """A `CompanyPhoneNumberInfo` record: owner `{id, uri, name, extensionNumber}`, no features."""
    body = _number_common(base, account, number)
    body["country"] = _country(base, number)
    owner = _owner_ref(base, account, number, with_type=False)
    if owner is not None:
        body["extension"] = owner
    if number.temporary_number and number.status == "Pending":
        body["temporaryNumber"] = {"id": str(number.id + 900000),
                                   "phoneNumber": number.temporary_number}
    return body


def render_sms_configuration(number: PhoneNumber) -> dict[str, Any]:
    """`SmsConfigurationResource`; campaign and brand are omitted when not linked (smsConfigurationInfo)."""
    body: dict[str, Any] = {"phoneNumberId": str(number.id), "phoneNumber": number.phone_number}
    campaign = number.campaign
    if campaign is not None:
        # externalId appears in the guide's sample though the spec does not declare it.
        body["smsCampaignInfo"] = {
            "id": campaign.id, "externalId": campaign.external_id, "status": campaign.status,
            "registrationTier": campaign.registration_tier, "useCases": list(campaign.use_cases),
        }
        if campaign.errors:
            body["smsCampaignInfo"]["errors"] = [
                {"errorCode": code, "message": message} for code, message in campaign.errors
            ]
        body["smsBrandInfo"] = {"id": campaign.brand_id, "status": campaign.brand_status,
                                "externalId": campaign.brand_external_id}
    return body


# --- permission ----------------------------------------------------------------------------------

def _may_read(request: Request, account: Account, ext: Extension, permission: str) -> Response | None:
    me = account.extension(request.state.session.owner_id)
    if me is not None and (me.admin or me.id == ext.id):
        return None
    return permission_required(permission)


def _account_and_extension(request: Request) -> tuple[Account, Extension] | Response:
    """The path's account and extension, or the 404 RingCentral sends for either."""
    account = _account(request)
    if isinstance(account, Response):
        return account
    ext = _extension(request, account)
    if isinstance(ext, Response):
        return ext
    return account, ext


def _readable_extension(request: Request, permission: str) -> tuple[Account, Extension] | Response:
    """Like `_account_and_extension`, then 403 unless the caller is an admin or that extension."""
    found = _account_and_extension(request)
    if isinstance(found, Response):
        return found
    denied = _may_read(request, *found, permission)
    return found if denied is None else denied


# --- endpoints -----------------------------------------------------------------------------------

def _identity(item: Any) -> Any:
    return item


def _captured_list(request: Request, items: Sequence[Any]) -> Response:
    """A captured list (`simulator --data`), paged like any other, records exactly as captured."""
    paging = _paging(request)
    if isinstance(paging, Response):
        return paging
    return JSONResponse(paged(request, items, *paging, _identity))


async def read_extension(request: Request) -> Response:
    capture = control_of(request).capture
    if capture is not None:
        raw = request.path_params["extensionId"]
        if capture.is_me(raw, request.state.session.owner_id):
            return JSONResponse(capture.extension)
        for record in capture.extensions:
            if isinstance(record, dict) and str(record.get("id")) == raw:
                return JSONResponse(record)
        return not_found("extensionId")
    found = _account_and_extension(request)
    if isinstance(found, Response):
        return found
    account, ext = found
    own = ext.id == request.state.session.owner_id
    return JSONResponse(render_extension(base_url(request), account, ext, own))


async def list_extensions(request: Request) -> Response:
    account = _account(request)
    if isinstance(account, Response):
        return account
    capture = control_of(request).capture
    if capture is not None:
        return _captured_list(request, capture.extensions)
    paging = _paging(request)
    if isinstance(paging, Response):
        return paging
    types = _enum_filter(request, "type", EXTENSION_TYPES)
    if isinstance(types, Response):
        return types
    statuses = _enum_filter(request, "status", EXTENSION_STATUSES)
    if isinstance(statuses, Response):
        return statuses
    number = request.query_params.get("extensionNumber")
    items = [
        ext for ext in account.extensions
        if (not types or ext.type in types) and (not statuses or ext.status in statuses)
        and (number is None or ext.extension_number == number)
    ]
    base = base_url(request)
    me = request.state.session.owner_id
    return JSONResponse(paged(request, items, *paging,
                              lambda ext: render_extension(base, account, ext, ext.id == me)))


async def list_extension_numbers(request: Request) -> Response:
    capture = control_of(request).capture
    if capture is not None:
        captured = capture.numbers_of(request.path_params["extensionId"],
                                      request.state.session.owner_id)
        if captured is None:
            return not_found("extensionId")
        return _captured_list(request, captured)
    found = _readable_extension(request, "ReadUserPhoneNumbers")
    if isinstance(found, Response):
        return found
    account, ext = found
    paging = _paging(request)
    if isinstance(paging, Response):
        return paging
    usage = _enum_filter(request, "usageType", USAGE_TYPES)
    if isinstance(usage, Response):
        return usage
    status = _enum_filter(request, "status", NUMBER_STATUSES, single=True)
    if isinstance(status, Response):
        return status
    items = [
        (number, features) for number, features in account.numbers_of(ext.id)
        if number.usage_type not in UNLISTED_USAGE
        and (not usage or number.usage_type in usage)
        and (not status or number.status in status)
    ]
    base = base_url(request)
    return JSONResponse(paged(request, items, *paging,
                              lambda item: render_user_number(base, account, ext, *item)))


async def sms_configuration(request: Request) -> Response:
    capture = control_of(request).capture
    if capture is not None:
        body = capture.configurations.get(request.path_params["phoneNumberId"])
        return not_found("phoneNumberId") if body is None else JSONResponse(body)
    found = _readable_extension(request, "ReadUserPhoneNumbers")
    if isinstance(found, Response):
        return found
    account, ext = found
    raw = request.path_params["phoneNumberId"]
    if not raw.isdigit():
        return invalid_parameter("phoneNumberId")  # an integer path parameter (smsConfigurationInfo)
    number_id = int(raw)
    if account.features_of(ext.id, number_id) is None:
        return not_found("phoneNumberId")
    number = account.number(number_id)
    assert number is not None
    return JSONResponse(render_sms_configuration(number))


async def list_account_numbers(request: Request) -> Response:
    account = _account(request)
    if isinstance(account, Response):
        return account
    me = account.extension(request.state.session.owner_id)
    if me is None or not me.admin:
        return permission_required("ReadCompanyPhoneNumbers")  # x-user-permission, listAccountPhoneNumbers
    capture = control_of(request).capture
    if capture is not None:
        return _captured_list(request, capture.account_numbers)
    paging = _paging(request)
    if isinstance(paging, Response):
        return paging
    filters: dict[str, list[str]] = {}
    for name, allowed, single in (("usageType", USAGE_TYPES, False),
                                  ("paymentType", PAYMENT_TYPES, False),
                                  ("status", NUMBER_STATUSES, False),
                                  ("extensionStatus", EXTENSION_STATUSES, True)):
        values = _enum_filter(request, name, allowed, single)
        if isinstance(values, Response):
            return values
        filters[name] = values

    def keep(number: PhoneNumber) -> bool:
        if number.usage_type in UNLISTED_USAGE:
            return False
        if filters["usageType"] and number.usage_type not in filters["usageType"]:
            return False
        if filters["paymentType"] and number.payment_type not in filters["paymentType"]:
            return False
        if filters["status"] and number.status not in filters["status"]:
            return False
        if filters["extensionStatus"]:
            owner = account.extension(number.owner_id) if number.owner_id else None
            if owner is None or owner.status not in filters["extensionStatus"]:
                return False
        return True

    has_filters = any(filters.values())
    items = [n for n in account.numbers if keep(n)] if has_filters else account.numbers
    base = base_url(request)
    return JSONResponse(paged(request, items, *paging,
                              lambda number: render_company_number(base, account, number)))


async def read_account_number(request: Request) -> Response:
    account = _account(request)
    if isinstance(account, Response):
        return account
    me = account.extension(request.state.session.owner_id)
    if me is None or not me.admin:
        return permission_required("ReadCompanyPhoneNumbers")
    raw = request.path_params["phoneNumberId"]
    if not raw.isdigit():
        return invalid_parameter("phoneNumberId")
    number = account.number(int(raw))
    if number is None:
        return not_found("phoneNumberId")
    return JSONResponse(render_company_number(base_url(request), account, number))


async def sms_recipients(request: Request) -> Response:
    """Who holds SMS for a call queue's or site's numbers (getSmsRecipients, Limited, listExtensions, readExtension)."""
    found = _account_and_extension(request)
    if isinstance(found, Response):
        return found
    account, ext = found
    if ext.type not in ("Department", "Site", "IvrMenu"):
        return api_error(403, "CMN-403", "The feature is not available for this extension type")
    denied = _may_read(request, account, ext, "ReadExtensions")
    if denied is not None:
        return denied
    holders: list[Extension] = []
    for number in account.numbers:
        if number.owner_id == ext.id and number.sms_holder_id is not None:
            holder = account.extension(number.sms_holder_id)
            if holder is not None and holder not in holders:
                holders.append(holder)
    return JSONResponse({"smsRecipients": [
        {"id": str(h.id), "extensionNumber": h.extension_number, "extensionType": h.type,
         "name": h.name, "assignable": True, "hasLicense": True}
        for h in holders
    ]})
