"""The client's TLS: one trust-store context per process, built off the event loop when the UI
warms it up, and exactly as strict as before (OS trust store, hostname, certificate required)."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import truststore

from rc_sms_desktop.api import client as client_module
from rc_sms_desktop.api.client import (
    RetryPolicy,
    RingCentralClient,
    trust_store_context,
    warm_up_tls,
)
from rc_sms_desktop.api.errors import NetworkError


def _pool_context(rc: RingCentralClient) -> ssl.SSLContext:
    """The SSL context httpx's connection pool really uses (httpx exposes no public getter)."""
    context: ssl.SSLContext = rc.http._transport._pool._ssl_context  # type: ignore[attr-defined]
    return context


async def test_every_client_uses_the_one_trust_store_context_with_verification_on() -> None:
    await asyncio.to_thread(warm_up_tls)  # as the UI does before its first client
    async with RingCentralClient("https://platform.ringcentral.com") as first, RingCentralClient(
        "https://platform.ringcentral.biz"
    ) as second:
        context = _pool_context(first)
        assert _pool_context(second) is context
    assert context is trust_store_context()
    if sys.platform.startswith("linux"):
        # OpenSSL and the system CA store, loaded once (truststore reloads it per connection).
        assert type(context) is ssl.SSLContext
        assert context.cert_store_stats()["x509_ca"] > 0 or ssl.get_default_verify_paths().capath
    else:
        assert isinstance(context, truststore.SSLContext)  # the OS trust store, not certifi's
    assert context.protocol == ssl.PROTOCOL_TLS_CLIENT
    assert context.check_hostname is True
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_threads_building_the_context_at_once_get_the_same_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client_module, "_trust_store", None)  # as in a fresh process
    start = threading.Barrier(8)
    built: list[ssl.SSLContext] = []

    def build() -> None:
        start.wait(timeout=5)
        built.append(trust_store_context())

    threads = [threading.Thread(target=build) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(built) == 8
    assert all(context is built[0] for context in built)


_FIRST_CLIENT_PROBE = """
import asyncio, json, sys
from rc_sms_desktop.api.client import RingCentralClient, warm_up_tls

async def answer(reader, writer):
    await reader.readuntil(b"\\r\\n\\r\\n")
    writer.write(b"HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ncontent-length: 2\\r\\n\\r\\n{}")
    await writer.drain()
    writer.close()

async def main():
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    await asyncio.to_thread(warm_up_tls)
    before = set(sys.modules)
    url = "http://127.0.0.1:%d" % server.sockets[0].getsockname()[1]
    async with RingCentralClient(url) as rc:
        await rc.http.get("/")
    print(json.dumps(sorted(set(sys.modules) - before)))
    server.close()

asyncio.run(main())
"""


def test_after_the_warm_up_the_first_client_and_request_import_nothing() -> None:
    # Imports are the first client's cost (~20 ms to build it, ~20 ms more at its first request,
    # on the event loop): after warm_up_tls in a thread, none are left for the loop.
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_CLIENT_PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


# --- verification stays on, against a real TLS server -------------------------------------------


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no trust store holds, and its key."""
    x509 = pytest.importorskip("cryptography.x509")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "rc-sms-desktop test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
async def untrusted_https(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    cert_path, key_path = _self_signed(tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"content-length: 11\r\n\r\n{\"id\": 42}\n"
            )
            await writer.drain()
        except (ssl.SSLError, ConnectionError, asyncio.IncompleteReadError):
            pass  # the client refused the handshake
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"https://127.0.0.1:{port}", cert_path


async def test_a_server_whose_certificate_the_system_does_not_trust_is_refused(
    untrusted_https: tuple[str, Path],
) -> None:
    url, cert_path = untrusted_https
    # The server works for a client that trusts its certificate ...
    trusting = ssl.create_default_context(cafile=str(cert_path))
    async with httpx.AsyncClient(verify=trusting) as plain:
        assert (await plain.get(url + "/restapi/v1.0/account/~/extension/~")).json() == {"id": 42}
    # ... and the app's shared, warmed-up context refuses it.
    await asyncio.to_thread(warm_up_tls)
    async with RingCentralClient(url, retry=RetryPolicy(attempts=1)) as rc:
        with pytest.raises(NetworkError):
            await rc.get_json("/restapi/v1.0/account/~/extension/~")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the system CA store of Linux")
async def test_a_ca_the_system_trusts_is_trusted_on_every_connection(
    untrusted_https: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert_path = untrusted_https
    # The system store is what OpenSSL is told it is (SSL_CERT_FILE), read when the process's
    # context is built; every later connection verifies against it.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    monkeypatch.setattr(client_module, "_trust_store", None)  # as in a fresh process
    for _ in range(3):  # each client opens its own connection, with the one shared context
        async with RingCentralClient(url, retry=RetryPolicy(attempts=1)) as rc:
            assert await rc.get_json("/restapi/v1.0/account/~/extension/~") == {"id": 42}
            assert _pool_context(rc) is trust_store_context()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the system CA store of Linux")
def test_without_any_system_ca_nothing_is_trusted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    monkeypatch.setattr(client_module, "_LINUX_CA_FILES", ())
    monkeypatch.setattr(client_module, "_trust_store", None)
    context = trust_store_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
