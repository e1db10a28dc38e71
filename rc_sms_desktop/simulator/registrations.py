"""TCR brands and campaigns, and linking numbers to a campaign (spec tag "SMS Brands/Campaigns").

Endpoints: `listAllTcrBrands`, `findTcrBrandById`, `listAllTcrCampaigns`, `findTcrCampaignById`
and `linkNumbers`. Brand names, registration times and errors live here; each campaign's status,
tier and use cases come from the demo account's campaigns (simulator/demo_account.py), so the
TCR reads and `sms-configuration` always agree.

Linking records the campaign at once; after `provisioning_s` (the `--provisioning-s` option) the
number's `sms-configuration` shows the campaign and its SMS holder gains `SmsSender` (and
`MmsSender` for a local number): "Only phone numbers that are linked to an active, approved
campaign will be enabled for SMS" (developers.ringcentral.com/guide/messaging/sms/sms-requirements).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rc_sms_desktop.simulator import demo_account
from rc_sms_desktop.simulator.asgi import JSONResponse, Request, Response
from rc_sms_desktop.simulator.clock import SimulatorClock
from rc_sms_desktop.simulator.demo_account import Account, Campaign
from rc_sms_desktop.simulator.error_bodies import (
    api_error,
    invalid_parameter,
    not_found,
    permission_required,
)

if TYPE_CHECKING:
    from rc_sms_desktop.simulator.control import SimulatorControl

# AssignNumbersRequest.phoneNumbers: 1..100 items of PhoneNumberE164 (spec, linkNumbers).
MAX_LINK_NUMBERS = 100
_E164 = re.compile(r"\+[1-9]\d{1,14}\Z")


@dataclass(slots=True, frozen=True)
class BrandInfo:
    """What `TcrBrandRecord` says beyond the id and status the campaigns carry."""

    name: str
    registered: str
    errors: tuple[dict[str, str], ...] = ()
    status: str | None = None  # only for brands without campaigns in the demo account


# Names, registration times and errors of the demo's TCR registrations (made-up, shaped as the
# spec's TcrBrandRecord / TcrCampaignRecord).
_BRANDS: dict[str, BrandInfo] = {
    "1008": BrandInfo("Rivera & Chen Outfitters", "2025-01-14T17:02:11.000Z"),
    "1009": BrandInfo(
        "R&C Events", "2025-06-03T09:45:00.000Z",
        ({"errorCode": "TCR-EIN", "message": "The EIN does not match the company name on file.",
          "parameterName": "companyDetails"},),
    ),
    "1010": BrandInfo("Rivera & Chen Foundation", "2026-11-30T15:20:00.000Z", status="Submitted"),
}
_CAMPAIGN_NAMES: dict[str, tuple[str, str, tuple[dict[str, str], ...]]] = {
    "2008": ("Customer care", "2025-01-20T10:00:00.000Z", ()),
    "2009": ("Sales conversations", "2025-02-02T13:30:00.000Z", ()),
    "2010": ("Alerts and reminders", "2025-02-10T08:15:00.000Z", ()),
    "2011": ("Spring events", "2026-11-28T16:40:00.000Z", ()),
    "2012": ("Promotions", "2025-09-09T11:05:00.000Z",
             ({"errorCode": "TCR-SAMPLE", "message": "Sample messages do not show opt-out words.",
               "parameterName": "sampleMessages"},)),
    "2013": ("Service desk", "2025-03-18T09:00:00.000Z", ()),
    "2014": ("Spring promo 2025", "2025-03-01T12:00:00.000Z", ()),
    "2015": ("Partner outreach", "2025-06-04T10:20:00.000Z", ()),
}


def demo_campaigns() -> list[Campaign]:
    """Every campaign the demo account defines, by id (whatever names its module gives them)."""
    found: dict[str, Campaign] = {}
    for value in vars(demo_account).values():
        if isinstance(value, Campaign):
            found.setdefault(value.id, value)
    return [found[key] for key in sorted(found, key=lambda k: (len(k), k))]


@dataclass
class PendingLink:
    number_id: int
    campaign: Campaign
    due: float  # clock.monotonic() when provisioning completes


@dataclass
class Registrations:
    """The demo's TCR registrations and the links still being provisioned."""

    clock: SimulatorClock
    provisioning_s: float
    campaigns: list[Campaign] = field(default_factory=demo_campaigns)
    pending: dict[int, PendingLink] = field(default_factory=dict)
    link_requests: int = 0  # linkNumbers calls that reached the handler (tests: "no write sent")

    def brand_ids(self) -> list[str]:
        ids = [c.brand_id for c in self.campaigns]
        ids += [b for b in _BRANDS if b not in ids]
        return sorted(dict.fromkeys(ids), key=lambda k: (len(k), k))

    def brand_status(self, brand_id: str) -> str:
        for campaign in self.campaigns:
            if campaign.brand_id == brand_id:
                return campaign.brand_status
        info = _BRANDS.get(brand_id)
        return (info.status if info and info.status else "Created")

    def campaign(self, campaign_id: str) -> Campaign | None:
        return next((c for c in self.campaigns if c.id == campaign_id), None)

    def link(self, account: Account, number_ids: list[int], campaign: Campaign) -> None:
        due = self.clock.monotonic() + self.provisioning_s
        for number_id in number_ids:
            self.pending[number_id] = PendingLink(number_id, campaign, due)
        self.settle(account)

    def settle(self, account: Account) -> None:
        """Finish the provisioning of every link whose delay is over."""
        if not self.pending:
            return
        now = self.clock.monotonic()
        done = [p for p in self.pending.values() if p.due <= now]
        for link in done:
            del self.pending[link.number_id]
            number = account.number(link.number_id)
            if number is None:
                continue
            number.campaign = link.campaign
            features = list(number.sms_features)
            wanted = ["SmsSender"] if number.is_toll_free else ["SmsSender", "MmsSender"]
            features += [f for f in wanted if f not in features and "A2PSmsSender" not in features]
            number.sms_features = tuple(features)
            if number.sms_holder_id is None and number.owner_id is not None:
                # A number nobody held: its owner receives the features (guide's ownership table).
                number.sms_holder_id = number.owner_id
        if done:
            account.reindex()


# --- rendering --------------------------------------------------------------------------------

def _account_uri(request: Request, account: Account) -> str:
    return f"{str(request.base_url).rstrip('/')}/restapi/v1.0/account/{account.id}"


def render_brand(regs: Registrations, brand_id: str) -> dict[str, Any]:
    info = _BRANDS.get(brand_id, BrandInfo(f"Brand {brand_id}", "2025-01-01T00:00:00.000Z"))
    external = next((c.brand_external_id for c in regs.campaigns if c.brand_id == brand_id),
                    f"B{brand_id}")
    return {
        "id": int(brand_id),
        "name": info.name,
        "countryCode": "US",
        "status": regs.brand_status(brand_id),
        "registrationTime": info.registered,
        "externalId": external,
        "companyDetails": {
            "companyName": info.name,
            "commercialType": "PrivateProfit",
            "industryCategory": "Retail",
            "webSiteUri": "https://outfitters.example.com",
            "businessContactEmail": "priya.natarajan@example.com",
        },
        "errors": [dict(e) for e in info.errors],
    }


def render_campaign(campaign: Campaign) -> dict[str, Any]:
    name, registered, errors = _CAMPAIGN_NAMES.get(
        campaign.id, (f"Campaign {campaign.id}", "2025-01-01T00:00:00.000Z", ()))
    brand = _BRANDS.get(campaign.brand_id)
    return {
        "id": int(campaign.id),
        "name": name,
        # sms-configuration's CampaignStatusInfo spells it PreVetFailed, TcrCampaignStatus
        # PreventFailed (smsConfigurationInfo vs. listAllTcrCampaigns): each endpoint answers in
        # its own schema's spelling.
        "status": "PreventFailed" if campaign.status == "PreVetFailed" else campaign.status,
        "registrationTime": registered,
        "externalId": campaign.external_id,
        "brand": {"id": campaign.brand_id, "name": brand.name if brand else ""},
        "registrationTier": campaign.registration_tier,
        "useCases": list(campaign.use_cases),
        "errors": [dict(e) for e in errors],
    }


# --- request checks ---------------------------------------------------------------------------

def _control(request: Request) -> SimulatorControl:
    control: SimulatorControl = request.app.state.simulator
    return control


def _account(request: Request) -> Account | Response:
    account = _control(request).account
    if request.path_params["accountId"] not in ("~", str(account.id)):
        return not_found("accountId")
    return account


def _is_admin(request: Request, account: Account) -> bool:
    me = account.extension(request.state.session.owner_id)
    return me is not None and me.admin


def missing_app_permission(request: Request, permission: str) -> Response | None:
    """403 CMN-401 when the app was not granted `permission` (the spec's x-app-permission)."""
    if permission in _control(request).config.app_scope.split():
        return None
    return api_error(403, "CMN-401",
                     f"In order to call this API endpoint, application needs to have "
                     f"[{permission}] permission", permissionName=permission)


def _brand_and_campaign(
    request: Request, regs: Registrations, with_campaign: bool
) -> tuple[str, Campaign | None] | Response:
    brand_raw = request.path_params["tcrBrandId"]
    if not brand_raw.isdigit():
        return invalid_parameter("tcrBrandId")  # an int64 path parameter (spec TcrBrandId)
    brand_id = str(int(brand_raw))
    if brand_id not in regs.brand_ids():
        return not_found("tcrBrandId")
    if not with_campaign:
        return brand_id, None
    campaign_raw = request.path_params["tcrCampaignId"]
    if not campaign_raw.isdigit():
        return invalid_parameter("tcrCampaignId")
    campaign = regs.campaign(str(int(campaign_raw)))
    if campaign is None or campaign.brand_id != brand_id:
        return not_found("tcrCampaignId")
    return brand_id, campaign


def _permitted(
    request: Request, app_permission: str, user_permission: str | None
) -> tuple[Account, Registrations] | Response:
    """The account and its registrations, when the app holds the operation's x-app-permission
    and the user (an administrator here) its x-user-permission, if it declares one."""
    account = _account(request)
    if isinstance(account, Response):
        return account
    denied = missing_app_permission(request, app_permission)
    if denied is not None:
        return denied
    if user_permission is not None and not _is_admin(request, account):
        return permission_required(user_permission)
    return account, _control(request).registrations


# --- endpoints --------------------------------------------------------------------------------

async def list_brands(request: Request) -> Response:
    found = _permitted(request, "ReadAccounts", None)  # listAllTcrBrands: no x-user-permission
    if isinstance(found, Response):
        return found
    _, regs = found
    return JSONResponse({"records": [render_brand(regs, b) for b in regs.brand_ids()]})


def _registration(request: Request, with_campaign: bool
                  ) -> tuple[Registrations, str, Campaign | None] | Response:
    """The path's brand (and campaign) for a reader with ReadSMSRegistration."""
    found = _permitted(request, "ReadAccounts", "ReadSMSRegistration")
    if isinstance(found, Response):
        return found
    regs = found[1]
    picked = _brand_and_campaign(request, regs, with_campaign=with_campaign)
    if isinstance(picked, Response):
        return picked
    return regs, picked[0], picked[1]


async def read_brand(request: Request) -> Response:
    found = _registration(request, with_campaign=False)
    if isinstance(found, Response):
        return found
    return JSONResponse(render_brand(found[0], found[1]))


async def list_campaigns(request: Request) -> Response:
    found = _registration(request, with_campaign=False)
    if isinstance(found, Response):
        return found
    regs, brand_id, _ = found
    return JSONResponse({"records": [render_campaign(c) for c in regs.campaigns
                                     if c.brand_id == brand_id]})


async def read_campaign(request: Request) -> Response:
    found = _registration(request, with_campaign=True)
    if isinstance(found, Response):
        return found
    assert found[2] is not None
    return JSONResponse(render_campaign(found[2]))


async def link_numbers(request: Request) -> Response:
    """`linkNumbers`: EditAccounts app permission, EditCompanyPhoneNumbers user permission."""
    found = _permitted(request, "EditAccounts", "EditCompanyPhoneNumbers")
    if isinstance(found, Response):
        return found
    account, regs = found
    picked = _brand_and_campaign(request, regs, with_campaign=True)
    if isinstance(picked, Response):
        return picked
    campaign = picked[1]
    assert campaign is not None
    try:
        body = json.loads(await request.body())
    except ValueError:
        return api_error(400, "CMN-101", "Request body is not valid JSON")
    numbers = body.get("phoneNumbers") if isinstance(body, dict) else None
    if (not isinstance(numbers, list) or not 1 <= len(numbers) <= MAX_LINK_NUMBERS
            or not all(isinstance(n, str) and _E164.match(n) for n in numbers)):
        return invalid_parameter("phoneNumbers")
    ids: list[int] = []
    for text in numbers:
        number = account.number_by_e164(text)
        if number is None:
            return api_error(400, "CMN-101", f"Parameter [phoneNumbers] value is invalid: {text} "
                             "is not a number of this account.", parameterName="phoneNumbers",
                             parameterValue=text)
        if number.is_toll_free or number.type == "FaxOnly":
            # Toll-free numbers are verified, not linked (sms-requirements: "Complete the
            # toll-free verification process"); a fax-only number cannot text at all.
            return api_error(400, "CMN-101", f"Parameter [phoneNumbers] value is invalid: {text} "
                             "cannot be linked to a 10DLC campaign.",
                             parameterName="phoneNumbers", parameterValue=text)
        ids.append(number.id)
    if campaign.status != "Confirmed":
        return api_error(400, "CMN-101", "Numbers can only be linked to a confirmed campaign.",
                         parameterName="tcrCampaignId", parameterValue=campaign.id)
    regs.link_requests += 1
    regs.link(account, ids, campaign)
    return Response(status_code=200)

