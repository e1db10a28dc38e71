"""Reading TCR registrations and making the two fixes: link numbers to a campaign, choose who
texts from a shared number. Qt-free; the CLI and the window both drive it.

Writes are never retried blindly (`RingCentralClient.post_json` never resends once bytes may have
left): after a timeout, a dropped connection or a 5xx we re-read the state and report what
actually happened. A dry run sends no write at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rc_sms_desktop.api import endpoints
from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.errors import (
    ApiError,
    NetworkError,
    PermissionDeniedError,
    ServerError,
    SessionEndedError,
)
from rc_sms_desktop.core.models import PhoneNumber, parse_phone_number, parse_sms_configuration
from rc_sms_desktop.core.registrations import (
    Change,
    Plan,
    Problem,
    Recipient,
    TcrBrand,
    TcrCampaign,
    parse_brand,
    parse_campaign,
    parse_recipients,
)
from rc_sms_desktop.infra.audit_log import AuditLog

ACCOUNT = endpoints.ACCOUNT
LINK_CHUNK = 100  # AssignNumbersRequest.phoneNumbers maxItems (spec, linkNumbers)
# What each write needs from the app's registration (the spec's x-app-permission).
APP_PERMISSION = {"link-numbers": "EditAccounts", "assign-sms": "EditExtensions"}


@dataclass(frozen=True)
class SignedIn:
    account_id: str | None
    extension_id: str | None
    is_admin: bool | None
    scope: str | None  # the permissions the app was granted; None when unknown

    def may(self, action: str) -> str | None:
        """Why the signed-in user cannot do `action` (None when they may, as far as we know)."""
        if self.is_admin is False:
            return ("Only an account administrator can do this: your user role does not include "
                    "editing the company's numbers and extensions.")
        permission = APP_PERMISSION[action]
        if self.scope is not None and permission not in self.scope.split():
            return (f"This app was not granted RingCentral's “{permission}” permission, which "
                    "this needs. An admin can approve the app with it; then sign in again.")
        return None


async def who_am_i(client: RingCentralClient) -> SignedIn:
    body = await client.get_json(endpoints.MY_EXTENSION)
    account = body.get("account") if isinstance(body, dict) else None
    permissions = body.get("permissions") if isinstance(body, dict) else None
    admin = permissions.get("admin") if isinstance(permissions, dict) else None
    enabled = admin.get("enabled") if isinstance(admin, dict) else None
    scope = getattr(client.authenticator, "scope", None)
    return SignedIn(
        str(account.get("id")) if isinstance(account, dict) and account.get("id") else None,
        str(body.get("id")) if isinstance(body, dict) and body.get("id") is not None else None,
        enabled if isinstance(enabled, bool) else None,
        scope if isinstance(scope, str) and scope else None)


# --- reads ----------------------------------------------------------------------------------------

async def read_registrations(
    client: RingCentralClient, linked: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[TcrBrand, list[TcrCampaign]]]:
    """Every brand with its campaigns; `linked` (campaign id -> numbers from the last scan)."""
    body = await client.get_json(endpoints.TCR_BRANDS)
    records = body.get("records") if isinstance(body, dict) else None
    result: list[tuple[TcrBrand, list[TcrCampaign]]] = []
    for record in records if isinstance(records, list) else ():
        brand = parse_brand(record)
        if brand is None:
            continue
        listed = await client.get_json(endpoints.tcr_campaigns(brand.id))
        items = listed.get("records") if isinstance(listed, dict) else None
        campaigns = []
        for item in items if isinstance(items, list) else ():
            campaign = parse_campaign(item, brand.id)
            if campaign is not None:
                numbers = tuple(sorted((linked or {}).get(campaign.id, ())))
                campaigns.append(TcrCampaign(**{**_fields(campaign), "numbers": numbers}))
        result.append((brand, campaigns))
    return result


def _fields(campaign: TcrCampaign) -> dict[str, Any]:
    return {name: getattr(campaign, name) for name in campaign.__slots__}


async def find_campaign(client: RingCentralClient, campaign_id: str) -> TcrCampaign | None:
    for _, campaigns in await read_registrations(client):
        for campaign in campaigns:
            if campaign.id == campaign_id:
                return campaign
    return None


async def account_numbers(client: RingCentralClient) -> dict[str, PhoneNumber]:
    """The account's numbers by E.164 (listAccountPhoneNumbers, all pages)."""
    listed = await client.get_all(endpoints.ACCOUNT_NUMBERS)
    found: dict[str, PhoneNumber] = {}
    for record in listed.records:
        number = parse_phone_number(record)
        if number.phone_number:
            found[number.phone_number] = number
    return found


def _owner(number: PhoneNumber) -> str:
    return number.extension.id if number.extension and number.extension.id else "~"


async def current_campaign(client: RingCentralClient, number: PhoneNumber) -> str | None:
    """The campaign `sms-configuration` shows for the number (None when not linked)."""
    body = await client.get_json(
        endpoints.sms_configuration(number.id, _owner(number)))
    config = parse_sms_configuration(body)
    return config.campaign.id if config.campaign else None


async def _features(client: RingCentralClient, ext: str, number: PhoneNumber) -> tuple[str, ...]:
    listed = await client.get_all(endpoints.extension_numbers(ext))
    for record in listed.records:
        if isinstance(record, dict) and str(record.get("id")) == number.id:
            return parse_phone_number(record).features
    return ()


async def owner_type(client: RingCentralClient, number: PhoneNumber) -> str | None:
    if not number.extension or not number.extension.id:
        return None
    if number.extension.type:
        return number.extension.type
    body = await client.get_json(endpoints.extension(number.extension.id))
    value = body.get("type") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


async def sms_recipients(client: RingCentralClient, owner_id: str) -> list[Recipient]:
    return parse_recipients(await client.get_json(endpoints.sms_recipients(owner_id)))


async def is_ready(client: RingCentralClient, number: PhoneNumber, campaign_id: str) -> bool:
    """Whether linking is done: sms-configuration shows the campaign and the extension that
    texts from the number carries `SmsSender`."""
    if await current_campaign(client, number) != campaign_id:
        return False
    owner = _owner(number)
    if "SmsSender" in await _features(client, owner, number):
        return True
    kind = await owner_type(client, number)
    if kind in ("Department", "IvrMenu", "Site"):
        for holder in await sms_recipients(client, owner):
            if "SmsSender" in await _features(client, holder.id, number):
                return True
    return False


async def follow_provisioning(
    client: RingCentralClient, numbers: Sequence[PhoneNumber], campaign_id: str, *,
    first_wait: float = 5.0, longest_wait: float = 60.0, give_up_after: float = 1800.0,
) -> AsyncIterator[tuple[str, bool]]:
    """Re-check only `numbers` until each is ready: yields (E.164, ready) after every round.

    The pace starts at `first_wait` and grows by half each round up to `longest_wait`: RingCentral
    says nothing about how long provisioning takes (TCR as a whole "can take up to 25 days",
    developers.ringcentral.com/guide/getting-started/sms), so we poll gently.
    """
    waiting = {n.phone_number or n.id: n for n in numbers}
    wait, spent = first_wait, 0.0
    while waiting and spent < give_up_after:
        await asyncio.sleep(wait)
        spent += wait
        for e164, number in list(waiting.items()):
            ready = await is_ready(client, number, campaign_id)
            if ready:
                del waiting[e164]
            yield e164, ready
        wait = min(longest_wait, wait * 1.5)


# --- plans → results ------------------------------------------------------------------------------

@dataclass
class Result:
    outcome: str  # planned | applied | refused | failed
    changes: list[Change]
    problems: list[Problem]
    audit_log: str | None = None
    answer: Any = None
    details: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "changes": [c.to_json() for c in self.changes],
                "problems": [p.to_json() for p in self.problems], "auditLog": self.audit_log}


def api_problem(error: ApiError, action: str) -> Problem:
    """RingCentral's refusal in plain words; a 403 names the missing permission."""
    said = f" RingCentral said: “{error.rc_message}”." if error.rc_message else ""
    if isinstance(error, PermissionDeniedError) or error.status == 403:
        if error.error_code == "CMN-401":
            permission = APP_PERMISSION[action]
            return Problem("app-permission-missing", "error",
                           f"This app lacks RingCentral's “{permission}” permission.{said}",
                           "An admin approves the app with that permission in the Developer "
                           "Console / app gallery; then sign in again.")
        return Problem("role-permission-missing", "error",
                       f"Your user role does not allow this.{said}",
                       "Ask a super admin to add the permission RingCentral names to your role, "
                       "or to make the change.")
    code = error.error_code or (f"HTTP {error.status}" if error.status else type(error).__name__)
    return Problem(code, "error", f"{error.user_message}{said}",
                   "Check the details, then try again.")


def _audit(audit: AuditLog | None, who: SignedIn, plan: Plan, changes: list[Change],
           answer: Any, outcome: str) -> str | None:
    if audit is None:
        return None
    audit.append(account=who.account_id, extension=who.extension_id, action=plan.action,
                 numbers=[c.phone_number for c in changes],
                 before=[dict(c.before) for c in changes], after=[dict(c.after) for c in changes],
                 answer=answer, outcome=outcome)
    return str(audit.path)


async def link_numbers(
    client: RingCentralClient, plan: Plan, numbers: Mapping[str, PhoneNumber], *,
    who: SignedIn, audit: AuditLog | None, dry_run: bool = False,
) -> Result:
    """Send `plan`'s changes with linkNumbers (the refused numbers are never sent)."""
    changes = list(plan.changes)
    problems = list(plan.problems)
    if not changes:
        return Result("refused", [], problems)
    if dry_run:
        return Result("planned", changes, problems)
    path = endpoints.link_numbers(plan.target["brandId"], plan.target["campaignId"])
    applied: list[Change] = []
    for start in range(0, len(changes), LINK_CHUNK):
        chunk = changes[start:start + LINK_CHUNK]
        try:
            answer = await client.post_json(path, {"phoneNumbers": [c.phone_number for c in chunk]})
        except SessionEndedError:
            raise
        except (NetworkError, ServerError) as error:
            return await _link_unclear(client, plan, chunk, applied, numbers, problems, who,
                                       audit, error)
        except ApiError as error:
            problems.append(api_problem(error, plan.action))
            log = _audit(audit, who, plan, applied, "ok", "applied") if applied else None
            return Result("failed", applied, problems, log)
        applied += [Change(c.phone_number, c.before, {**c.after, "state": "provisioning"})
                    for c in chunk]
        del answer
    log = _audit(audit, who, plan, applied, "200 Numbers linked successfully", "applied")
    return Result("applied", applied, problems, log)


async def _link_unclear(
    client: RingCentralClient, plan: Plan, chunk: list[Change], applied: list[Change],
    numbers: Mapping[str, PhoneNumber], problems: list[Problem], who: SignedIn,
    audit: AuditLog | None, error: ApiError,
) -> Result:
    """No clear answer to a write: re-read each number and report what it shows."""
    campaign_id = plan.target["campaignId"]
    linked: list[Change] = []
    for change in chunk:
        number = numbers.get(change.phone_number)
        try:
            now = await current_campaign(client, number) if number is not None else None
        except ApiError:
            now = None
        if now == campaign_id:
            linked.append(Change(change.phone_number, change.before,
                                 {**change.after, "state": "linked (confirmed by re-reading)"}))
    applied = applied + linked
    missing = [c.phone_number for c in chunk if c not in linked and
               c.phone_number not in {x.phone_number for x in linked}]
    if missing:
        problems.append(Problem(
            "write-unconfirmed", "error",
            f"RingCentral gave no clear answer ({error.user_message}). Re-reading shows "
            f"{', '.join(missing)} not linked yet: the request may not have arrived, or "
            "RingCentral is still provisioning the numbers.",
            "Check these numbers again in a few minutes before linking them again; nothing was "
            "resent."))
    answer = f"no clear answer: {error.user_message}"
    log = _audit(audit, who, plan, applied, answer, "applied") if applied else None
    return Result("failed" if missing else "applied", applied, problems, log)


async def assign_sms(
    client: RingCentralClient, plan: Plan, *, who: SignedIn, audit: AuditLog | None,
    dry_run: bool = False,
) -> Result:
    """Send `plan` with bulkAssignSmsRecipients on the owning extension."""
    changes = list(plan.changes)
    problems = list(plan.problems)
    if plan.refused or not changes:
        return Result("refused", [], problems)
    if dry_run:
        return Result("planned", changes, problems)
    owner = plan.target["ownerId"]
    added = plan.target["addedExtensionId"]
    body: dict[str, list[str]] = {"addedExtensionIds": [added]}
    removed = [r for r in plan.target.get("removedExtensionIds", "").split(",") if r]
    if removed:
        body["removedExtensionIds"] = removed
    path = endpoints.bulk_assign_sms_recipients(owner)
    try:
        await client.post_json(path, body)
    except SessionEndedError:
        raise
    except (NetworkError, ServerError) as error:
        try:
            holders = await sms_recipients(client, owner)
        except ApiError:
            holders = []
        if [h.id for h in holders] == [added]:
            log = _audit(audit, who, plan, changes, f"no clear answer: {error.user_message}; "
                         "re-reading shows the change made", "applied")
            return Result("applied", changes, problems, log)
        problems.append(Problem(
            "write-unconfirmed", "error",
            f"RingCentral gave no clear answer ({error.user_message}). Re-reading shows the SMS "
            f"recipients unchanged: {', '.join(h.describe() for h in holders) or 'none'}.",
            "Nothing was resent. Try again when RingCentral answers."))
        return Result("failed", [], problems)
    except ApiError as error:
        problems.append(api_problem(error, plan.action))
        return Result("failed", [], problems)
    log = _audit(audit, who, plan, changes, "204 No Content", "applied")
    return Result("applied", changes, problems, log)


# --- after a change: re-read only what it touched -------------------------------------------------

async def refresh_join(client: RingCentralClient, join: Any, keys: Sequence[str],
                       extension_ids: Sequence[str]) -> list[Any]:
    """Re-read the affected numbers into the account join (`core.account_join.AccountJoin`):
    the touched extensions' lists, the shared owners' `sms-recipients`, then each number's
    `sms-configuration`. Returns the fresh rows; the rest of the account is not asked again."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    owners = {join.owner_id(k) for k in keys} - {None}
    for ext_id in dict.fromkeys([*extension_ids, *owners]):
        listed = await client.get_all(endpoints.extension_numbers(ext_id))
        join.add_extension_numbers(ext_id, listed.records, as_of=now)
    for owner in owners:
        if join.extension_type(owner) in ("Department", "IvrMenu", "Site"):
            join.set_sms_recipients(
                owner, await client.get_json(endpoints.sms_recipients(owner)))
    for key in keys:
        target = join.config_target(key)
        if target is not None:
            raw = await client.get_json(endpoints.sms_configuration(target[1], target[0]))
            join.set_config(key, raw, as_of=now)
    return list(join.rows(keys))


def ask_admin_text(number: str, problem: str, step: str, link: str | None) -> str:
    """The ready text a user sends their admin about a blocked number."""
    lines = [f"Hello, could you help me text from {number}?", "",
             f"What is wrong: {problem}", f"What an admin can do: {step}"]
    if link:
        lines.append(f"How: {link}")
    lines += ["", "(Written by RC SMS Desktop.)"]
    return "\n".join(lines)
