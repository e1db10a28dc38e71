"""Large demo accounts: exact sizes, deterministic, and each extension's list consistent with the account."""

from __future__ import annotations

from collections import Counter

import pytest

from rc_sms_desktop.simulator.demo_account import build_demo_account
from rc_sms_desktop.simulator.generators import scaled


@pytest.fixture(scope="module")
def big_account():  # type: ignore[no-untyped-def]
    return scaled(build_demo_account(), None, 10_000, 2_000)


def test_sizes_and_uniqueness(big_account) -> None:  # type: ignore[no-untyped-def]
    assert len(big_account.numbers) == 10_000
    assert len(big_account.extensions) == 2_000
    assert len({n.phone_number for n in big_account.numbers}) == 10_000
    assert len({n.id for n in big_account.numbers}) == 10_000
    assert len({e.extension_number for e in big_account.extensions}) == 2_000
    owner_types = Counter(
        big_account.extension(n.owner_id).type if n.owner_id else "Company"
        for n in big_account.numbers
    )
    assert set(owner_types) == {"User", "Department", "IvrMenu", "Site", "Company"}


def test_every_owned_number_is_on_its_owner_list(big_account) -> None:  # type: ignore[no-untyped-def]
    for number in big_account.numbers:
        if number.owner_id is None:
            continue
        assert big_account.features_of(number.owner_id, number.id) is not None, number


def test_sms_features_only_for_the_holder(big_account) -> None:  # type: ignore[no-untyped-def]
    for ext in big_account.extensions[::37]:
        for number, features in big_account.numbers_of(ext.id):
            sms = set(features) - {"CallerId"}
            assert not sms or number.sms_holder_id == ext.id


def test_generation_is_deterministic() -> None:
    first = scaled(build_demo_account(), 40, 3_000, 500)
    second = scaled(build_demo_account(), 40, 3_000, 500)
    assert [(n.id, n.phone_number, n.owner_id, n.sms_features) for n in first.numbers] == [
        (n.id, n.phone_number, n.owner_id, n.sms_features) for n in second.numbers
    ]
    assert len(first.numbers_of(first.signed_in_id)) == 40


def test_user_numbers_keep_the_mix() -> None:
    account = scaled(build_demo_account(), 300, None, None)
    mine = account.numbers_of(account.signed_in_id)
    assert len(mine) == 300
    kinds = {(n.payment_type, n.type, n.campaign.status if n.campaign else None) for n, _ in mine}
    assert ("TollFree", "VoiceFax", None) in kinds
    assert ("Local", "FaxOnly", None) in kinds
    assert ("Local", "VoiceFax", "Confirmed") in kinds
    assert ("Local", "VoiceFax", "Submitted") in kinds
