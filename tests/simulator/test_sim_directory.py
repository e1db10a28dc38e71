"""Extensions, phone numbers, SMS configuration and paging, as the demo user sees them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sim_support import BASE_URL, Sim

from rc_sms_desktop.simulator.demo_account import ACCOUNT_ID, OPTED_OUT_RECIPIENT

MakeSim = Callable[..., Awaitable[Sim]]
V1 = "/restapi/v1.0/account/~"
MY_NUMBERS = V1 + "/extension/~/phone-number"


async def all_pages(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Follow `navigation.nextPage` like a client would, checking each link stays on our host."""
    records: list[dict[str, Any]] = []
    response = await client.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        records += body["records"]
        next_page = body["navigation"].get("nextPage")
        if next_page is None:
            return records
        assert next_page["uri"].startswith(BASE_URL + "/restapi/")
        response = await client.get(next_page["uri"])


def by_number(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["phoneNumber"]: r for r in records}


async def test_signed_in_extension_by_tilde_and_by_id(sim: Sim) -> None:
    client, _ = sim
    me = (await client.get(V1 + "/extension/~")).json()
    assert me["type"] == "User"
    assert me["permissions"]["admin"]["enabled"] is True
    assert {f["featureName"] for f in me["serviceFeatures"]} >= {"SMS", "MMS", "InternationalSMS"}
    same = await client.get(f"/restapi/v1.0/account/{ACCOUNT_ID}/extension/{me['id']}")
    assert same.json()["extensionNumber"] == me["extensionNumber"]
    assert (await client.get("/restapi/v1.0/account/999/extension/~")).status_code == 404
    missing = await client.get(V1 + "/extension/123")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["errorCode"] == "CMN-102"


async def test_demo_user_numbers_show_every_case_of_the_guide(sim: Sim) -> None:
    client, _ = sim
    numbers = by_number(await all_pages(client, MY_NUMBERS, perPage=4))
    assert len(numbers) == 36  # every case of the guide and of issue #13
    assert set(numbers["+16505550101"]["features"]) >= {"SmsSender", "MmsSender",
                                                         "InternationalSmsSender"}
    toll_free = numbers["+18335550104"]
    assert toll_free["paymentType"] == "TollFree"
    assert "SmsSender" in toll_free["features"] and "MmsSender" not in toll_free["features"]
    # Not verified yet: no SMS feature at all (RingCentral attaches it once verified).
    assert numbers["+18885550118"]["features"] == ["CallerId"]
    assert numbers["+14165550136"]["country"]["name"] == "Canada"
    assert numbers["+442079460137"]["country"]["name"] == "United Kingdom"
    assert numbers["+16505550140"]["paymentType"] == "External"
    assert {numbers[n]["status"] for n in ("+16505550141", "+16505550142")} == {"PortedIn", "Temporary"}
    assert numbers["+16505550112"]["features"] == ["CallerId", "A2PSmsSender"]
    site = numbers["+14155550143"]
    assert site["extension"]["type"] == "Site" and "SmsSender" in site["features"]
    assert numbers["+16505550113"]["type"] == "FaxOnly"
    assert numbers["+16505550113"]["features"] == []
    main = numbers["+16505550100"]
    assert main["usageType"] == "MainCompanyNumber"
    assert main["features"] == ["CallerId"]  # SMS sits with another extension
    queue = numbers["+14155550114"]
    assert queue["extension"]["type"] == "Department"
    assert "SmsSender" in queue["features"]
    assert numbers["+14155550115"]["extension"]["type"] == "IvrMenu"
    assert numbers["+14155550116"]["extension"]["type"] == "Site"
    assert numbers["+16505550117"]["status"] == "Pending"
    assert "SmsSender" not in numbers["+14155550109"]["features"]
    assert OPTED_OUT_RECIPIENT not in numbers


@pytest.mark.parametrize(
    ("e164", "campaign_status", "tier", "brand_status"),
    [
        ("+16505550101", "Confirmed", "LowVolume", "Verified"),
        ("+14155550102", "Confirmed", "StandardVolume", "Verified"),
        ("+16505550105", "Submitted", "LowVolume", "Verified"),
        ("+14155550106", "SubmitFailed", "LowVolume", "Verified"),
        ("+12125550107", "CampaignSuspended", "StandardVolume", "Verified"),
        ("+16505550108", "CampaignExpired", "LowVolume", "Verified"),
        ("+12125550111", "Created", "LowVolume", "Unverified"),
        ("+14155550109", None, None, None),
        ("+16505550110", None, None, None),
        ("+18335550104", None, None, None),
        ("+16505550130", "UpdateRequested", "LowVolume", "Verified"),
        ("+14155550131", "DeleteRequested", "LowVolume", "Verified"),
        ("+12125550132", "Draft", "LowVolume", "Submitted"),
        ("+16505550133", "PreVetFailed", "LowVolume", "Verified"),
        ("+14155550134", "Unconfirmed", "LowVolume", "Verified"),
        ("+12125550135", "Confirmed", "StandardVolume", "Suspended"),
    ],
)
async def test_sms_configuration_per_number(
    sim: Sim, e164: str, campaign_status: str | None, tier: str | None, brand_status: str | None,
) -> None:
    client, _ = sim
    number = by_number(await all_pages(client, MY_NUMBERS))[e164]
    config = (await client.get(f"{MY_NUMBERS}/{number['id']}/sms-configuration")).json()
    assert config["phoneNumberId"] == str(number["id"])
    assert config["phoneNumber"] == e164
    if campaign_status is None:
        assert "smsCampaignInfo" not in config and "smsBrandInfo" not in config
    else:
        assert config["smsCampaignInfo"]["status"] == campaign_status
        assert config["smsCampaignInfo"]["registrationTier"] == tier
        assert config["smsCampaignInfo"]["useCases"]
        assert config["smsBrandInfo"]["status"] == brand_status


async def test_sms_configuration_of_a_number_not_on_the_list_is_404(sim: Sim) -> None:
    client, _ = sim
    response = await client.get(f"{MY_NUMBERS}/121554771321/sms-configuration")  # Priya's
    assert response.status_code == 404
    assert (await client.get(f"{MY_NUMBERS}/abc/sms-configuration")).status_code == 400


async def test_paging_fields_and_navigation_links(sim: Sim) -> None:
    client, _ = sim
    body = (await client.get(MY_NUMBERS, params={"perPage": 6, "page": 2})).json()
    assert body["paging"] == {"page": 2, "perPage": 6, "totalPages": 6, "totalElements": 36,
                              "pageStart": 6, "pageEnd": 11}
    nav = body["navigation"]
    assert set(nav) == {"firstPage", "previousPage", "nextPage", "lastPage"}
    for link in nav.values():
        assert urlsplit(link["uri"]).netloc == urlsplit(BASE_URL).netloc
    last = (await client.get(nav["lastPage"]["uri"])).json()
    assert len(last["records"]) == 6
    assert "nextPage" not in last["navigation"]


@pytest.mark.parametrize("params", [{"perPage": "1001"}, {"perPage": "0"}, {"page": "0"},
                                    {"page": "x"}, {"usageType": "Bogus"}, {"status": "Weird"}])
async def test_out_of_spec_parameters_get_cmn_101(sim: Sim, params: dict[str, str]) -> None:
    client, _ = sim
    response = await client.get(MY_NUMBERS, params=params)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["errorCode"] == "CMN-101"
    assert error["message"] == f"Parameter [{next(iter(params))}] value is invalid."


async def test_usage_type_filter_is_exploded(sim: Sim) -> None:
    client, _ = sim
    body = (await client.get(MY_NUMBERS, params={
        "usageType": ["MainCompanyNumber", "CompanyNumber"]})).json()
    assert {r["usageType"] for r in body["records"]} == {"MainCompanyNumber", "CompanyNumber"}
    assert len(body["records"]) == 3


async def test_list_extensions_filters_by_type(sim: Sim) -> None:
    client, _ = sim
    body = (await client.get(V1 + "/extension", params={"type": ["Department", "IvrMenu"]})).json()
    assert {r["type"] for r in body["records"]} == {"Department", "IvrMenu"}
    everyone = await all_pages(client, V1 + "/extension", perPage=3)
    assert {"User", "Department", "IvrMenu", "Site"} == {r["type"] for r in everyone}
    assert (await client.get(V1 + "/extension", params={"type": "Robot"})).status_code == 400


async def test_account_numbers_have_owners_but_no_features(sim: Sim) -> None:
    client, _ = sim
    records = await all_pages(client, V1 + "/phone-number", perPage=10)
    assert all("features" not in r for r in records)
    numbers = by_number(records)
    assert "extension" not in numbers["+16505550100"]  # company number: auto-receptionist
    owner = numbers["+14155550114"]["extension"]
    assert set(owner) == {"id", "uri", "name", "extensionNumber"}
    assert numbers["+16505550117"]["temporaryNumber"]["phoneNumber"] == "+16505550197"


async def test_admin_can_join_account_list_with_each_extension_list(sim: Sim) -> None:
    client, _ = sim
    account = await all_pages(client, V1 + "/phone-number", perPage=1000)
    for record in account:
        owner = record.get("extension")
        if owner is None:
            continue
        own_list = by_number(await all_pages(client, f"{V1}/extension/{owner['id']}/phone-number"))
        assert own_list[record["phoneNumber"]]["id"] == record["id"]


async def test_non_admin_gets_403_on_account_lists(sim: Sim) -> None:
    client, control = sim
    control.set_admin(False)
    response = await client.get(V1 + "/phone-number")
    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error["errorCode"] == "CMN-408"
    assert error["message"] == "[ReadCompanyPhoneNumbers] permission required"
    assert (await client.get(MY_NUMBERS)).status_code == 200  # their own list still works
    me = (await client.get(V1 + "/extension/~")).json()
    assert me["permissions"]["admin"]["enabled"] is False


async def test_sms_recipients_of_a_call_queue(sim: Sim) -> None:
    client, control = sim
    queue = next(e for e in control.account.extensions if e.name == "Support Queue")
    body = (await client.get(f"{V1}/extension/{queue.id}/sms-recipients")).json()
    assert [r["name"] for r in body["smsRecipients"]] == ["Alex Rivera"]
    user = await client.get(V1 + "/extension/~/sms-recipients")
    assert user.status_code == 403


@pytest.mark.parametrize("size", [0, 1, 7, 20, 63])
async def test_user_numbers_option_sizes_the_list_exactly(make_sim: MakeSim, size: int) -> None:
    client, _ = await make_sim(rate_limits="off", user_numbers=size)
    records = await all_pages(client, MY_NUMBERS, perPage=25)
    assert len(records) == size
    assert len({r["id"] for r in records}) == size
