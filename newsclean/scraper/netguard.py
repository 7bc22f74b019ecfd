"""SSRF guard: refuse to connect to addresses that are not on the public internet.

A feed, a sitemap or a redirect may name any host, so a batch run must not become a way to
reach the machine's own services (``127.0.0.1:6379``), the private network (``10.0.0.5``) or
the cloud metadata service (``169.254.169.254``, which hands out credentials). What is
refused, each with a category that ends up in the :class:`BlockedAddress` message:

* IPv4: unspecified ``0/8``, private ``10/8`` ``172.16/12`` ``192.168/16``, shared (CGNAT)
  ``100.64/10``, loopback ``127/8``, link-local ``169.254/16``, multicast ``224/4``, reserved
  ``240/4`` (broadcast included) and the IETF / documentation / benchmarking blocks;
* IPv6: unspecified ``::``, loopback ``::1``, unique-local ``fc00::/7``, link-local
  ``fe80::/10``, site-local ``fec0::/10``, multicast ``ff00::/8``, documentation and every
  other address Python's :mod:`ipaddress` does not call global;
* IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
  ``::a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) are judged by that IPv4 address;
* cloud metadata, ALWAYS, even with ``allow_private``: the addresses in
  :data:`METADATA_ADDRESSES` and the host names in :data:`METADATA_HOSTS`. No news lives
  there, and allowing private addresses for a local test site must not expose credentials.

Where the check sits, and why there: a check of the URL before the request is not enough.
The name may resolve to a private address (``localhost``, or a public name pointing at
``127.0.0.1``), DNS may answer differently between the check and the connection (DNS
rebinding), and a public page may redirect to ``http://127.0.0.1/``. So the check runs at
CONNECT time, on the RESOLVED addresses, for every connection httpx opens — every hop of a
redirect chain, since each hop is a request through the same transport — and the socket is
then opened to the very address that was vetted, so nothing is resolved twice.

How: :class:`GuardedBackend` is an httpcore network backend (the layer under httpx that
opens sockets). Its ``connect_tcp`` resolves the host itself (``loop.getaddrinfo``, in a
thread, under the connect timeout), refuses the host if ANY of its addresses is blocked
(a name resolving to one public and one private address is refused: the OS might pick
either), then connects to the vetted addresses in order. TLS still verifies the
certificate and sends SNI for the host NAME, because httpcore takes the server name from
the request's origin, not from the address it was given. httpx has no public parameter for
the network backend, so :class:`GuardedTransport` is an ``httpx.AsyncHTTPTransport`` whose
connection pool is rebuilt with this backend — the one private attribute (``_pool``) this
package touches; the tests that send a redirect to 127.0.0.1 fail if httpx stops using it.
The alternative of rewriting each request's URL to a pinned IP (and setting the Host header
and the ``sni_hostname`` extension by hand) was rejected: it has to be redone per redirect
hop by the caller and breaks connection pooling per host.

Consequences: proxies from the environment (``HTTP_PROXY``...) are not used, because httpx
ignores them once a transport is given, and through a proxy the guard could not see the
address finally reached. A transport injected by a caller (tests' ``httpx.MockTransport``)
replaces the guard.

Hosts in ``AddressPolicy.trusted_hosts`` skip the private-address check (not the metadata
one): the one-off :func:`newsclean.scraper.fetch.fetch` trusts the host of the URL the user
typed, while every other host its redirects lead to is vetted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: (host, port) -> the addresses to try, as getaddrinfo gives them
Resolver = Callable[[str, int], Awaitable[list[str]]]
# the same shape as httpcore's SOCKET_OPTION (not exported by httpcore)
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)

#: cloud instance metadata services (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Oracle)
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
#: host names of metadata services, refused before any lookup
METADATA_HOSTS = frozenset(
    {
        "metadata",  # GCE's short name, through the resolver's search domain
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
    }
)

_BLOCKED_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(network), category)
    for network, category in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared (CGNAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),  # IETF protocol assignments
        ("192.0.2.0/24", "reserved"),  # documentation
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "reserved"),  # benchmarking
        ("198.51.100.0/24", "reserved"),  # documentation
        ("203.0.113.0/24", "reserved"),  # documentation
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),  # includes 255.255.255.255
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("fc00::/7", "private"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "private"),  # deprecated site-local
        ("ff00::/8", "multicast"),
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class AddressRefused(Exception):
    """A connection the guard refused; :mod:`~newsclean.scraper.fetch` turns it into
    :class:`~newsclean.scraper.errors.BlockedAddress` with the URL concerned. It is not an
    httpx error, so httpx and httpcore let it through unchanged."""

    def __init__(self, host: str, address: str, category: str) -> None:
        self.host = host
        self.address = address
        self.category = category
        where = host if host == address else f"{host} resolves to {address}"
        super().__init__(f"{where}, a {category} address")


def blocked_category(address: IPAddress) -> str | None:
    """Why ``address`` may not be connected to (ignoring any option), or None if it may."""
    if address in METADATA_ADDRESSES:
        return "cloud-metadata"
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        inner = blocked_category(embedded)
        return None if inner is None else f"{inner} (IPv4 inside IPv6)"
    for network, category in _BLOCKED_NETWORKS:
        if address in network:
            return category
    return None if address.is_global else "reserved"


def parse_ip(host: str) -> IPAddress | None:
    """The address a URL host spells literally (``[::1]`` too), or None for a name."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _host_key(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """What the guard lets through."""

    #: connect to private, loopback, link-local... addresses (never to cloud metadata)
    allow_private: bool = False
    #: hosts whose addresses are not vetted (but metadata still is): a URL the user typed
    trusted_hosts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "trusted_hosts", frozenset(map(_host_key, self.trusted_hosts)))

    def check_name(self, host: str) -> None:
        """Refuse a metadata host name before it is even looked up."""
        if _host_key(host) in METADATA_HOSTS:
            raise AddressRefused(host, host, "cloud-metadata")

    def check_address(self, host: str, address: IPAddress) -> None:
        """Raise :class:`AddressRefused` unless connecting ``host`` to ``address`` is fine."""
        category = blocked_category(address)
        if category is None:
            return
        exempt = self.allow_private or _host_key(host) in self.trusted_hosts
        if category.startswith("cloud-metadata") or not exempt:
            raise AddressRefused(host, address.compressed, category)


async def resolve_host(host: str, port: int) -> list[str]:
    """Every TCP address of ``host``, in getaddrinfo's order (RFC 6724 preference)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that vets every address before connecting to it."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolve: Resolver = resolve_host,
        backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolve
        self._backend = backend if backend is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.vetted_addresses(host, port, timeout)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._backend.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # the next address may answer (an IPv6 one often does not)
        assert failure is not None  # vetted_addresses never returns an empty list
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)

    async def vetted_addresses(self, host: str, port: int, timeout: float | None) -> list[str]:
        """The addresses to connect to; raises AddressRefused if any of them is blocked."""
        self.policy.check_name(host)
        literal = parse_ip(host)
        if literal is not None:
            self.policy.check_address(host, literal)
            return [literal.compressed]
        texts = await self._lookup(host, port, timeout)
        vetted: list[str] = []
        for text in texts:
            address = ipaddress.ip_address(text)
            self.policy.check_address(host, address)
            if text not in vetted:
                vetted.append(text)
        return vetted

    async def _lookup(self, host: str, port: int, timeout: float | None) -> list[str]:
        try:
            async with asyncio.timeout(timeout):
                texts = await self._resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except OSError as exc:  # socket.gaierror: no such name, no DNS server...
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not texts:
            raise httpcore.ConnectError(f"{host} has no address")
        return texts


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (HTTP/1.1, TLS, pooling) over a :class:`GuardedBackend`."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        limits: httpx.Limits | None = None,
        resolve: Resolver = resolve_host,
        backend: httpcore.AsyncNetworkBackend | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        ssl_context = httpx.create_ssl_context(verify=verify)
        pool_limits = limits or httpx.Limits()
        super().__init__(verify=ssl_context, limits=pool_limits)
        self.network_backend = GuardedBackend(policy, resolve=resolve, backend=backend)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=pool_limits.max_connections,
            max_keepalive_connections=pool_limits.max_keepalive_connections,
            keepalive_expiry=pool_limits.keepalive_expiry,
            network_backend=self.network_backend,
        )
