"""Paging: follows nextPage on the same host only; cycles, off-host links and pages past the total
end paging with the records so far and a warning."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.errors import MalformedResponseError
from rc_sms_desktop.api.paging import PageInfo, PageWalker, read_page
from tests.api.rc_fakes import FakeRingCentral, json_response

LIST = "/restapi/v1.0/account/~/extension/~/phone-number"


def page_body(page: int, total_pages: int | None, next_uri: str | None, records: list[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uri": f"https://rc.test{LIST}?page={page}",
        "records": records,
        "paging": {"page": page, "perPage": 2},
        "navigation": {},
    }
    if total_pages is not None:
        body["paging"]["totalPages"] = total_pages
        body["paging"]["totalElements"] = total_pages * 2
    if next_uri is not None:
        body["navigation"]["nextPage"] = {"uri": next_uri}
    return body


def serve(fake_rc: FakeRingCentral, pages: dict[int, dict[str, Any]]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        body = pages.get(number)
        return json_response(200, body) if body else json_response(404, {"errors": [{"errorCode": "CMN-102"}]})

    fake_rc.route("GET", LIST, handler)


async def test_follows_next_page_links_to_the_end(rc_client: RingCentralClient, fake_rc: FakeRingCentral) -> None:
    serve(fake_rc, {
        1: page_body(1, 3, f"https://rc.test{LIST}?page=2&perPage=2", [1, 2]),
        2: page_body(2, 3, f"https://rc.test{LIST}?page=3&perPage=2", [3, 4]),
        3: page_body(3, 3, None, [5]),
    })
    result = await rc_client.get_all(LIST, per_page=2)
    assert result.records == [1, 2, 3, 4, 5]
    assert result.complete and result.pages == 3


async def test_uses_page_numbers_when_there_is_no_navigation(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    serve(fake_rc, {1: page_body(1, 2, None, [1, 2]), 2: page_body(2, 2, None, [3])})
    result = await rc_client.get_all(LIST, params={"usageType": ["DirectNumber"]}, per_page=2)
    assert result.records == [1, 2, 3] and result.complete
    assert [s.url.params.get("page") for s in fake_rc.seen] == ["1", "2"]
    assert all(s.url.params.get_list("usageType") == ["DirectNumber"] for s in fake_rc.seen)


async def test_first_request_asks_for_the_spec_maximum_page_size(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    serve(fake_rc, {1: page_body(1, 1, None, [1])})
    await rc_client.get_all(LIST, per_page=5000)
    assert fake_rc.seen[0].url.params["perPage"] == "1000"
    assert fake_rc.seen[0].url.params["page"] == "1"


async def test_a_cycle_stops_with_the_records_so_far_and_a_warning(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    serve(fake_rc, {
        1: page_body(1, None, f"https://rc.test{LIST}?page=2", [1]),
        2: page_body(2, None, f"https://rc.test{LIST}?page=1", [2]),
    })
    result = await rc_client.get_all(LIST)
    assert result.records == [1, 2]
    assert not result.complete and "loop" in result.warnings[0]
    assert fake_rc.count() == 2


async def test_an_off_host_link_is_never_requested(rc_client: RingCentralClient, fake_rc: FakeRingCentral) -> None:
    serve(fake_rc, {1: page_body(1, 2, f"https://attacker.example{LIST}?page=2", [1])})
    result = await rc_client.get_all(LIST)
    assert result.records == [1]
    assert "another host" in result.warnings[0]
    assert {s.url.host for s in fake_rc.seen} == {"rc.test"}


@pytest.mark.parametrize("link", [f"http://rc.test{LIST}?page=2", f"https://rc.test:8443{LIST}?page=2"])
async def test_a_link_to_another_scheme_or_port_is_off_host(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral, link: str
) -> None:
    serve(fake_rc, {1: page_body(1, 2, link, [1])})
    result = await rc_client.get_all(LIST)
    assert result.records == [1] and not result.complete
    assert fake_rc.count() == 1


async def test_a_link_past_the_reported_total_stops(rc_client: RingCentralClient, fake_rc: FakeRingCentral) -> None:
    serve(fake_rc, {
        1: page_body(1, 2, f"https://rc.test{LIST}?page=2", [1]),
        2: page_body(2, 2, f"https://rc.test{LIST}?page=3", [2]),
    })
    result = await rc_client.get_all(LIST)
    assert result.records == [1, 2] and result.complete  # page 2 of 2 is the end: no request
    serve(fake_rc, {1: page_body(1, 2, f"https://rc.test{LIST}?page=7", [1])})
    result = await rc_client.get_all(LIST)
    assert result.records == [1]
    assert "reported total" in result.warnings[0]


async def test_the_page_bound_stops_an_endless_list(rc_client: RingCentralClient, fake_rc: FakeRingCentral) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params["page"])
        return json_response(200, page_body(n, None, f"https://rc.test{LIST}?page={n + 1}", [n]))

    fake_rc.route("GET", LIST, endless)
    result = await rc_client.get_all(LIST, max_pages=5)
    assert result.records == [1, 2, 3, 4, 5]
    assert "5 pages" in result.warnings[0]


async def test_a_malformed_later_page_keeps_the_earlier_records(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    serve(fake_rc, {1: page_body(1, 2, None, [1]), 2: {"unexpected": True}})
    result = await rc_client.get_all(LIST)
    assert result.records == [1] and not result.complete


async def test_a_first_answer_that_is_not_a_list_is_an_error(
    rc_client: RingCentralClient, fake_rc: FakeRingCentral
) -> None:
    serve(fake_rc, {1: {"records": "nope"}})
    with pytest.raises(MalformedResponseError):
        await rc_client.get_all(LIST)


def test_relative_links_stay_on_the_server() -> None:
    walker = PageWalker("https://rc.test", LIST)
    nxt = walker.after(walker.first, read_page(page_body(1, 3, f"{LIST}?page=2&perPage=2", [1])))
    assert nxt is not None and nxt.path == LIST and ("page", "2") in nxt.params


def test_a_hostile_port_in_a_link_is_refused() -> None:
    walker = PageWalker("https://rc.test", LIST)
    page = PageInfo((1,), 1, 1, 3, 3, "https://rc.test:notaport/x?page=2")
    assert walker.after(walker.first, page) is None
    assert walker.warnings
