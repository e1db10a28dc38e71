"""The demo account shows every case of the guide and of issue #13, through the real loader."""

from __future__ import annotations

from rc_sms_desktop.api.demo import open_demo_client
from rc_sms_desktop.core.eligibility import State, Verdict
from rc_sms_desktop.core.use_cases import USE_CASES
from rc_sms_desktop.simulator import demo_account
from rc_sms_desktop.simulator.demo_account import build_demo_account
from rc_sms_desktop.workflows.loader import SenderLoader, final_verdicts

EVERY_CODE = {
    "no-sms-feature", "sms-assigned-elsewhere", "fax-only", "number-not-active", "no-campaign",
    "campaign-not-confirmed", "brand-not-verified", "toll-free-no-mms", "international-from-toll-free",
    "no-mms-feature", "no-international-feature", "high-volume-only", "daily-limit", "campaign-errors",
    "sms-not-permitted", "mms-not-permitted", "international-not-permitted", "high-volume-us-ca-only",
    "sms-and-high-volume", "toll-free-not-verified", "number-kind-cannot-text",
}
CAMPAIGN_STATUSES = {
    "Created", "Submitted", "Confirmed", "SubmitFailed", "UpdateRequested", "DeleteRequested",
    "CampaignSuspended", "CampaignExpired", "Draft", "PreVetFailed", "Unconfirmed",
}


async def load(**options: object) -> list[Verdict]:
    client = await open_demo_client(**options)
    async with client:
        return final_verdicts([event async for event in SenderLoader(client).load()])


async def test_every_reason_code_shows_for_alex_or_sam() -> None:
    alex = await load()
    sam = await load(demo_user="sam")
    seen = {r.code for v in (*alex, *sam) for r in v.reasons}
    assert seen >= EVERY_CODE, EVERY_CODE - seen
    # Sam's role lacks SMS: every number of his is refused for that reason first.
    assert sam and all(v.main_reason is not None and v.main_reason.code == "sms-not-permitted" for v in sam)
    assert all(v.sms is State.BLOCKED for v in sam)
    # Alex's list has ready numbers in the US, Canada and the UK.
    ready = {v.number.phone_number[:3] for v in alex if v.can_send_sms and v.number.phone_number}
    assert {"+16", "+14", "+44"} <= ready
    by_number = {v.number.phone_number: v for v in alex}
    assert by_number["+14165550136"].can_send_sms  # Canadian, with its campaign
    assert by_number["+12125550135"].can_send_sms  # brand Suspended under a Confirmed campaign
    assert by_number["+16505550112"].high_volume is State.READY  # local High Volume, campaign ok
    assert by_number["+16505550146"].high_volume is State.BLOCKED  # its campaign was rejected


def test_demo_holds_every_campaign_status_brand_status_and_use_case() -> None:
    account = build_demo_account()
    campaigns = [n.campaign for n in account.numbers if n.campaign is not None]
    assert {c.status for c in campaigns} == CAMPAIGN_STATUSES
    brands = {c.brand_status for c in campaigns}
    assert "Verified" in brands and len(brands - {"Verified"}) >= 3
    assert any(c.status == "Confirmed" and c.brand_status != "Verified" for c in campaigns)
    assert {u for c in campaigns for u in c.use_cases} == set(USE_CASES)


def test_demo_holds_every_ownership_row_and_number_status() -> None:
    account = build_demo_account()
    ext = {e.id: e for e in account.extensions}
    numbers = account.numbers
    assert {n.status for n in numbers} >= {"Normal", "Pending", "PortedIn", "Temporary"}
    assert {n.country for n in numbers} >= {"US", "CA", "GB"}
    # A call queue holds a company number's SMS; a queue's number is held by a non-member.
    assert any(n.owner_id is None and ext[n.sms_holder_id].type == "Department"
               for n in numbers if n.sms_holder_id)
    assert any(n.owner_id in ext and ext[n.owner_id].type == "Department"
               and n.sms_holder_id not in ext[n.owner_id].members for n in numbers if n.sms_holder_id)
    # An SMS-enabled site number, an IVR's number, company numbers and direct numbers.
    owners = {ext[n.owner_id].type for n in numbers if n.owner_id in ext and n.sms_features}
    assert {"Site", "IvrMenu", "Department", "User"} <= owners
    assert demo_account.DEMO_USERS["sam"] == demo_account.SAM
