"""The SSRF guard: which addresses are refused, that the check is on the resolved address at
connect time for every redirect hop, and how the options and the one-off fetch use it.

No test here sends a byte anywhere but 127.0.0.1: addresses in other ranges are either
refused before any connection (what is being tested) or handed to a recording backend
that never opens a socket.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpcore
import pytest

from newsclean.scraper.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    InvalidUrl,
    TlsError,
    TransportError,
)
from newsclean.scraper.fetch import FetchOptions, fetch, fetch_async, make_client
from newsclean.scraper.netguard import (
    AddressPolicy,
    GuardedTransport,
    SocketOption,
    blocked_category,
    parse_ip,
)
from newsclean.scraper.polite import PoliteFetcher, PolitenessOptions
from newsclean.scraper.records import FetchResult
from tests.support.httpserver import ARTICLE_HTML, LocalHttpServer, serve

FAST = FetchOptions(total_timeout=3.0, connect_timeout=1.0)


@pytest.fixture
def http_server() -> Iterator[LocalHttpServer]:
    with serve() as server:
        yield server


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Records every connect_tcp; connects for real only to 127.0.0.1, else fails at once."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.calls.append((host, port))
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"test backend does not leave loopback ({host})")
        return await self._real.connect_tcp(host, port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeResolver:
    """Answers from a table; each name may have a list of successive answers (rebinding)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        replies = self.answers.get(host)
        if not replies:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return replies.pop(0) if len(replies) > 1 else replies[0]


def guarded_get(
    url: str,
    policy: AddressPolicy,
    *,
    backend: httpcore.AsyncNetworkBackend | None = None,
    resolver: FakeResolver | None = None,
    options: FetchOptions = FAST,
) -> FetchResult:
    async def run() -> FetchResult:
        transport = (
            GuardedTransport(policy, backend=backend, resolve=resolver)
            if resolver is not None
            else GuardedTransport(policy, backend=backend)
        )
        async with make_client(options, transport=transport) as client:
            return await fetch_async(url, client, options)

    return asyncio.run(run())


# ---- which addresses ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("169.254.1.1", "link-local"),
        ("169.254.169.254", "cloud-metadata"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("100.100.100.200", "cloud-metadata"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.10", "reserved"),
        ("198.18.0.1", "reserved"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("fd00:ec2::254", "cloud-metadata"),
        ("fe80::1", "link-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "reserved"),
        ("::ffff:127.0.0.1", "loopback (IPv4 inside IPv6)"),
        ("::ffff:10.0.0.1", "private (IPv4 inside IPv6)"),
        ("::ffff:169.254.169.254", "cloud-metadata (IPv4 inside IPv6)"),
        ("::127.0.0.1", "loopback (IPv4 inside IPv6)"),
        ("64:ff9b::a00:1", "private (IPv4 inside IPv6)"),
        ("2002:7f00:1::1", "loopback (IPv4 inside IPv6)"),
    ],
)
def test_blocked_ranges(address: str, category: str) -> None:
    assert blocked_category(ipaddress.ip_address(address)) == category


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8",
     "2002:808:808::1", "64:ff9b::808:808", "100.128.0.1", "172.32.0.1", "11.0.0.1"],
)  # fmt: skip
def test_public_addresses_pass(address: str) -> None:
    assert blocked_category(ipaddress.ip_address(address)) is None


def test_parse_ip() -> None:
    assert parse_ip("[::1]") == ipaddress.ip_address("::1")
    assert parse_ip("10.0.0.1") == ipaddress.ip_address("10.0.0.1")
    assert parse_ip("news.example") is None
    assert parse_ip("2130706433") is None  # a name to us: the resolver decides what it is


# ---- literal addresses: refused without any connection ------------------------------------
BLOCKED_URLS = [
    "http://10.0.0.1/",
    "http://172.20.1.1:8080/admin",
    "http://192.168.0.1/",
    "http://127.0.0.1:6379/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.1.1/",
    "http://0.0.0.0/",
    "http://224.0.0.251/",
    "http://255.255.255.255/",
    "http://[::1]/",
    "http://[fc00::5]/",
    "http://[fe80::1]/",
    "http://[ff02::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, mapped and written in hex
    "https://[fd00:ec2::254]/latest/meta-data/",
    # obfuscated spellings of 127.0.0.1: names to the URL parser, 127.0.0.1 to the resolver
    "http://2130706433/",
    "http://0x7f.1/",
    "http://127.1/",
    "http://localhost/",
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_blocked_urls_never_connect(url: str) -> None:
    backend = RecordingBackend()
    with pytest.raises(BlockedAddress) as info:
        guarded_get(url, AddressPolicy(), backend=backend)
    assert backend.calls == []
    error = info.value
    assert error.reason == "blocked-address" and not error.transient
    assert error.url == url
    assert error.category and error.address
    assert "SSRF" in error.message


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:169.254.169.254]/",
        "http://100.100.100.200/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata/computeMetadata/v1/",
        "http://instance-data.ec2.internal./latest/",
    ],
)
def test_cloud_metadata_is_refused_even_when_private_addresses_are_allowed(url: str) -> None:
    backend = RecordingBackend()
    resolver = FakeResolver({})
    permissive = AddressPolicy(allow_private=True, trusted_hosts=frozenset({"metadata"}))
    with pytest.raises(BlockedAddress, match="cloud-metadata") as info:
        guarded_get(url, permissive, backend=backend, resolver=resolver)
    assert backend.calls == [] and resolver.calls == []  # not even looked up
    assert "never fetched" in info.value.message


# ---- names: the RESOLVED address is what counts ------------------------------------------
def test_name_resolving_to_loopback_is_refused(http_server: LocalHttpServer) -> None:
    url = f"http://localhost:{http_server.port}/ok.html"
    with pytest.raises(BlockedAddress) as info:
        guarded_get(url, AddressPolicy())
    assert info.value.host == "localhost"
    assert ipaddress.ip_address(info.value.address).is_loopback
    assert http_server.requests == []


def test_name_resolving_to_loopback_is_allowed_with_the_option(
    http_server: LocalHttpServer,
) -> None:
    backend = RecordingBackend()
    url = f"http://localhost:{http_server.port}/ok.html"
    result = guarded_get(url, AddressPolicy(allow_private=True), backend=backend)
    assert result.body == ARTICLE_HTML
    # the socket went to the vetted address, never to the name (no second lookup)
    assert backend.calls == [("127.0.0.1", http_server.port)]
    assert http_server.hits("/ok.html")[0].headers["host"] == f"localhost:{http_server.port}"


def test_one_private_answer_among_public_ones_refuses_the_name() -> None:
    backend = RecordingBackend()
    resolver = FakeResolver({"mixed.test": [["8.8.8.8", "10.0.0.7"]]})
    with pytest.raises(BlockedAddress) as info:
        guarded_get("http://mixed.test/", AddressPolicy(), backend=backend, resolver=resolver)
    assert info.value.address == "10.0.0.7" and info.value.category == "private"
    assert backend.calls == []


def test_dns_rebinding_is_caught_at_the_second_connection() -> None:
    # the first lookup says public, the next says loopback: each connection is vetted anew
    backend = RecordingBackend()
    resolver = FakeResolver({"rebind.test": [["8.8.8.8"], ["127.0.0.1"]]})
    policy = AddressPolicy()
    with pytest.raises(TransportError):  # vetted, then the recording backend refused to dial
        guarded_get("http://rebind.test/a", policy, backend=backend, resolver=resolver)
    assert backend.calls == [("8.8.8.8", 80)]  # the vetted address, not the name
    with pytest.raises(BlockedAddress, match=re.escape("rebind.test resolves to 127.0.0.1")):
        guarded_get("http://rebind.test/b", policy, backend=backend, resolver=resolver)
    assert backend.calls == [("8.8.8.8", 80)]
    assert resolver.calls == ["rebind.test", "rebind.test"]


def test_unknown_name_is_a_transport_error() -> None:
    resolver = FakeResolver({})
    with pytest.raises(TransportError, match=re.escape("cannot resolve nowhere.test")):
        guarded_get("http://nowhere.test/", AddressPolicy(), resolver=resolver)


def test_a_hanging_lookup_is_bounded_by_the_connect_timeout() -> None:
    async def hang(host: str, port: int) -> list[str]:
        await asyncio.sleep(30)
        return ["8.8.8.8"]

    async def run() -> None:
        options = FetchOptions(total_timeout=5.0, connect_timeout=0.2)
        transport = GuardedTransport(AddressPolicy(), resolve=hang, backend=RecordingBackend())
        async with make_client(options, transport=transport) as client:
            await fetch_async("http://slow-dns.test/", client, options)

    with pytest.raises(FetchTimeout):
        asyncio.run(asyncio.wait_for(run(), timeout=3))


# ---- every hop of a redirect chain --------------------------------------------------------
def test_redirect_to_loopback_is_refused(http_server: LocalHttpServer) -> None:
    # news.test is trusted by name (as a typed URL is) and resolves to the test server; its
    # redirect to 127.0.0.1 is a new hop, vetted on its own, and refused
    resolver = FakeResolver({"news.test": [["127.0.0.1"]]})
    policy = AddressPolicy(trusted_hosts=frozenset({"news.test"}))
    target = http_server.url("/ok.html")
    url = f"http://news.test:{http_server.port}/redirect/to?to={target}"
    with pytest.raises(BlockedAddress) as info:
        guarded_get(url, policy, resolver=resolver)
    assert info.value.url == url
    assert info.value.host == "127.0.0.1" and info.value.category == "loopback"
    assert len(http_server.hits("/redirect/to")) == 1
    assert http_server.hits("/ok.html") == []  # the private target was never asked


def test_redirect_to_loopback_through_the_polite_fetcher(http_server: LocalHttpServer) -> None:
    resolver = FakeResolver({"news.test": [["127.0.0.1"]], "localhost": [["127.0.0.1"]]})
    transport = GuardedTransport(
        AddressPolicy(trusted_hosts=frozenset({"news.test"})), resolve=resolver
    )
    target = f"http://localhost:{http_server.port}/ok.html"
    url = f"http://news.test:{http_server.port}/redirect/to?to={target}"

    async def run() -> FetchError:
        options = PolitenessOptions(min_delay=0.0, max_retries=0)
        async with PoliteFetcher(options, transport=transport) as fetcher:
            with pytest.raises(BlockedAddress) as info:
                await fetcher.get(url)
            assert fetcher.counters.failures == {"blocked-address": 1}
            return info.value

    error = asyncio.run(run())
    assert isinstance(error, BlockedAddress) and error.host == "localhost"
    assert [r.path for r in http_server.requests] == ["/robots.txt", "/redirect/to"]


# ---- the options ----------------------------------------------------------------------------
def test_polite_fetcher_refuses_loopback_by_default(http_server: LocalHttpServer) -> None:
    async def run(options: PolitenessOptions) -> FetchResult | FetchError:
        async with PoliteFetcher(options) as fetcher:
            try:
                return await fetcher.get(http_server.url("/ok.html"))
            except FetchError as exc:
                return exc

    refused = asyncio.run(run(PolitenessOptions(min_delay=0.0)))
    assert isinstance(refused, BlockedAddress)
    assert refused.url == http_server.url("/ok.html")
    assert http_server.requests == []  # not even robots.txt: nothing reached the server
    allowed = asyncio.run(run(PolitenessOptions(min_delay=0.0, allow_private_addresses=True)))
    assert isinstance(allowed, FetchResult) and allowed.status == 200
    via_fetch_options = PolitenessOptions(
        min_delay=0.0, fetch=FetchOptions(allow_private_addresses=True)
    )
    assert isinstance(asyncio.run(run(via_fetch_options)), FetchResult)


def test_one_off_fetch_trusts_the_typed_host_only(http_server: LocalHttpServer) -> None:
    # the user typed 127.0.0.1: fetched; its redirect to another private host is refused
    assert fetch(http_server.url("/ok.html"), FAST).body == ARTICLE_HTML
    onward = http_server.url(f"/redirect/to?to=http://localhost:{http_server.port}/ok.html")
    with pytest.raises(BlockedAddress, match="localhost"):
        fetch(onward, FAST)
    # same host, another path: still the host the user named
    same_host = http_server.url(f"/redirect/to?to={http_server.url('/gzip.html')}")
    assert fetch(same_host, FAST).body == ARTICLE_HTML
    everything = FetchOptions(total_timeout=3.0, allow_private_addresses=True)
    assert fetch(onward, everything).final_url == f"http://localhost:{http_server.port}/ok.html"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1:70/", "data:,x"]
)
def test_only_http_and_https_are_ever_fetched(url: str) -> None:
    backend = RecordingBackend()
    with pytest.raises(InvalidUrl):
        guarded_get(url, AddressPolicy(allow_private=True), backend=backend)
    assert backend.calls == []


# ---- TLS still checks the NAME when the socket goes to a vetted address ----------------------
def _certificate_for_localhost(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
def test_tls_verifies_the_host_name_not_the_address(tmp_path: Path) -> None:
    cert, key = _certificate_for_localhost(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    trust = ssl.create_default_context(cafile=str(cert))
    policy = AddressPolicy(allow_private=True)
    with serve(tls=server_context) as server:

        async def get(url: str) -> FetchResult:
            transport = GuardedTransport(policy, verify=trust)
            async with make_client(FAST, transport=transport) as client:
                return await fetch_async(url, client, FAST)

        # connected to 127.0.0.1, verified as "localhost": the certificate matches
        by_name = asyncio.run(get(f"https://localhost:{server.port}/ok.html"))
        assert by_name.body == ARTICLE_HTML
        # the same socket address under its own name: the certificate does not match
        with pytest.raises(TlsError, match="CERTIFICATE_VERIFY_FAILED"):
            asyncio.run(get(f"https://127.0.0.1:{server.port}/ok.html"))
