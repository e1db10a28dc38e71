"""TCR brand/campaign reads, linkNumbers with its provisioning delay, bulkAssignSmsRecipients,
and "Reset demo", against the in-process simulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sim_support import Sim

V1 = "/restapi/v1.0/account/~"
BRANDS = V1 + "/sms-registration-brands"
LINK_CARE = BRANDS + "/1008/campaigns/2008/submit-phone-numbers"
NEW_LINE = "+14155550109"  # Alex's direct number: no campaign, no SMS features
MakeSim = Callable[..., Awaitable[Sim]]


async def _features(client: Any, number: str, ext: str = "~") -> list[str]:
    records = (await client.get(f"{V1}/extension/{ext}/phone-number",
                                params={"perPage": 1000})).json()["records"]
    found = [r for r in records if r["phoneNumber"] == number]
    return list(found[0]["features"]) if found else []


async def _config(client: Any, control: Any, number: str) -> dict[str, Any]:
    record = control.account.number_by_e164(number)
    body: dict[str, Any] = (await client.get(
        f"{V1}/extension/~/phone-number/{record.id}/sms-configuration")).json()
    return body


async def test_brands_and_campaigns_agree_with_sms_configuration(sim: Sim) -> None:
    client, control = sim
    brands = (await client.get(BRANDS)).json()["records"]
    assert len(brands) >= 2
    statuses = {b["status"] for b in brands}
    assert "Verified" in statuses and statuses - {"Verified"}
    campaigns = (await client.get(f"{BRANDS}/1008/campaigns")).json()["records"]
    by_id = {str(c["id"]): c for c in campaigns}
    assert by_id["2008"]["status"] == "Confirmed"
    assert any(c["status"] != "Confirmed" for c in campaigns)
    config = await _config(client, control, "+16505550101")
    campaign = by_id[config["smsCampaignInfo"]["id"]]
    assert campaign["registrationTier"] == config["smsCampaignInfo"]["registrationTier"]
    assert campaign["useCases"] == config["smsCampaignInfo"]["useCases"]
    one = (await client.get(f"{BRANDS}/1008/campaigns/2008")).json()
    assert one["name"] and one["brand"] == {"id": "1008", "name": brands[0]["name"]}


async def test_link_takes_effect_after_the_provisioning_delay(make_sim: MakeSim) -> None:
    client, control = await make_sim(rate_limits="off", provisioning_s=30)
    assert "smsCampaignInfo" not in await _config(client, control, NEW_LINE)
    response = await client.post(LINK_CARE, json={"phoneNumbers": [NEW_LINE]})
    assert response.status_code == 200
    assert "smsCampaignInfo" not in await _config(client, control, NEW_LINE)
    assert "SmsSender" not in await _features(client, NEW_LINE)
    control.advance(30)
    config = await _config(client, control, NEW_LINE)
    assert config["smsCampaignInfo"]["id"] == "2008"
    assert {"SmsSender", "MmsSender"} <= set(await _features(client, NEW_LINE))


async def test_link_with_no_delay_is_immediate(make_sim: MakeSim) -> None:
    client, control = await make_sim(rate_limits="off", provisioning_s=0)
    await client.post(LINK_CARE, json={"phoneNumbers": [NEW_LINE]})
    assert (await _config(client, control, NEW_LINE))["smsCampaignInfo"]["status"] == "Confirmed"


@pytest.mark.parametrize(("path", "body", "status", "code"), [
    (LINK_CARE, {"phoneNumbers": []}, 400, "CMN-101"),
    (LINK_CARE, {"phoneNumbers": ["4155550109"]}, 400, "CMN-101"),
    (LINK_CARE, {"phoneNumbers": ["+19995550000"]}, 400, "CMN-101"),  # not in the account
    (LINK_CARE, {"phoneNumbers": ["+18335550104"]}, 400, "CMN-101"),  # toll-free
    (BRANDS + "/1008/campaigns/2011/submit-phone-numbers", {"phoneNumbers": [NEW_LINE]},
     400, "CMN-101"),  # campaign not confirmed
    (BRANDS + "/1008/campaigns/9999/submit-phone-numbers", {"phoneNumbers": [NEW_LINE]},
     404, "CMN-102"),
    (BRANDS + "/77/campaigns/2008/submit-phone-numbers", {"phoneNumbers": [NEW_LINE]},
     404, "CMN-102"),
])
async def test_link_errors(sim: Sim, path: str, body: Any, status: int, code: str) -> None:
    client, control = sim
    response = await client.post(path, json=body)
    assert response.status_code == status
    assert response.json()["errors"][0]["errorCode"] == code
    assert control.registrations.link_requests == 0


async def test_permissions(make_sim: MakeSim) -> None:
    client, control = await make_sim(rate_limits="off")
    control.set_admin(False)
    denied = await client.post(LINK_CARE, json={"phoneNumbers": [NEW_LINE]})
    assert denied.status_code == 403
    assert denied.json()["errors"][0]["permissionName"] == "EditCompanyPhoneNumbers"
    assert (await client.get(BRANDS)).status_code == 200  # no x-user-permission
    assert (await client.get(BRANDS + "/1008")).status_code == 403  # ReadSMSRegistration
    no_scope, _ = await make_sim(rate_limits="off", app_scope="ReadAccounts SMS")
    answer = await no_scope.post(LINK_CARE, json={"phoneNumbers": [NEW_LINE]})
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["errorCode"] == "CMN-401"


async def test_bulk_assign_moves_sms_between_lists_and_reset_undoes_it(sim: Sim) -> None:
    client, control = sim
    account = control.account
    queue = next(e for e in account.extensions if e.name == "Support Queue")
    priya = next(e for e in account.extensions if e.name == "Priya Natarajan")
    support = "+14155550114"
    assert "SmsSender" in await _features(client, support)  # Alex holds it
    path = f"{V1}/extension/{queue.id}/sms-recipients/bulk-assign"
    too_many = await client.post(path, json={"addedExtensionIds": [str(priya.id), "1"]})
    assert too_many.status_code == 400  # maxItems 1 without MessageThreads
    response = await client.post(path, json={"addedExtensionIds": [str(priya.id)],
                                             "removedExtensionIds": [str(account.signed_in_id)]})
    assert response.status_code == 204
    assert "SmsSender" not in await _features(client, support)
    assert "SmsSender" in await _features(client, support, str(priya.id))
    recipients = (await client.get(f"{V1}/extension/{queue.id}/sms-recipients")).json()
    assert [r["id"] for r in recipients["smsRecipients"]] == [str(priya.id)]
    assert (await client.post("/_simulator/reset-demo")).status_code == 204
    assert "SmsSender" in await _features(client, support)
