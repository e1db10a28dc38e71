"""Known RingCentral environments and custom server URLs (where credentials may be sent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rc_sms_desktop.api.servers import (
    PARTNER,
    PRODUCTION,
    ServerUrlError,
    custom_server,
    resolve_server,
)


def test_known_environments() -> None:
    assert resolve_server("production") is PRODUCTION
    assert resolve_server("Partner") is PARTNER
    assert PRODUCTION.token_url == "https://platform.ringcentral.com/restapi/oauth/token"
    assert PARTNER.authorize_url == "https://platform.ringcentral.biz/restapi/oauth/authorize"
    assert resolve_server("https://platform.ringcentral.com/") is PRODUCTION


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://rc.example.com", "https://rc.example.com"),
        ("  https://RC.Example.com:8443/ ", "https://rc.example.com:8443"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9000", "http://localhost:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_custom_urls_are_normalised(url: str, expected: str) -> None:
    assert custom_server(url).url == expected


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://rc.example.com", "Only https://"),
        ("ftp://rc.example.com", "not a web address"),
        ("platform.ringcentral.com", "not a web address"),
        ("https://user:pw@rc.example.com", "user name or password"),
        ("https://rc.example.com/restapi", "without a path"),
        ("https://rc.example.com?x=1", "without a path"),
        ("https://rc.example.com:99999", "not a valid URL"),
    ],
)
def test_unsafe_or_ambiguous_urls_are_refused_with_a_reason(url: str, words: str) -> None:
    with pytest.raises(ServerUrlError, match=words):
        custom_server(url)


def test_the_last_server_is_read_one_way_for_the_window_and_check(tmp_path: Path) -> None:
    from rc_sms_desktop.api.servers import PARTNER, last_server
    from rc_sms_desktop.infra.settings import SETTINGS_VERSION, Settings

    settings = Settings(tmp_path / "settings.json", {"version": SETTINGS_VERSION})
    assert last_server(settings) is None  # never signed in
    settings.last_server = "partner"
    assert last_server(settings) == PARTNER
    settings.last_server = "custom"
    settings.custom_server_url = "http://127.0.0.1:8765"
    custom = last_server(settings)
    assert custom is not None and custom.url == "http://127.0.0.1:8765"
    settings.custom_server_url = "http://attacker.example"  # plain http off this machine
    assert last_server(settings) is None
