"""The HTTP side of webhooks, with no database: URL and address rules, signing, and POSTing a batch.

A request goes to the address that was checked, not to a second DNS answer: the host is resolved
once per round, every address must be public (unless private ones are allowed), and the connection
is made to that address with the URL's host as Host header, TLS server name and certificate name.
"""

import concurrent.futures
import dataclasses
import hashlib
import hmac
import ipaddress
import socket
import threading
import time
from urllib.parse import urlsplit

import urllib3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

USER_AGENT = "catalog-webhooks/1.0 (course catalog change feed)"
URL_MAX_LENGTH = 2000
BODY_BYTES = 64 * 1024  # read at most this much of an answer
PRIVATE_HINT = "WEBHOOKS_ALLOW_PRIVATE=1 allows it in development and tests"


@dataclasses.dataclass(frozen=True)
class Result:
    ok: bool
    code: int | None
    body: str
    error: str


@dataclasses.dataclass(frozen=True)
class Target:
    scheme: str
    address: str
    port: int
    host: str  # the Host header: the URL's host[:port]
    hostname: str
    path: str


class Refused(Exception):
    """The URL's host cannot be used (does not resolve, or resolves to a non-public address)."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """hex HMAC-SHA256(secret, "<timestamp>.<body>")."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def url_problem(url: str) -> str | None:
    if not url:
        return "Enter the URL the changes are POSTed to."
    if len(url) > URL_MAX_LENGTH:
        return f"At most {URL_MAX_LENGTH} characters."
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "Use an http:// or https:// URL."
    if parts.username is not None or parts.password is not None:
        return "Leave credentials out of the URL: receivers check the signature instead."
    try:
        parts.port  # noqa: B018 - raises on a port that is not 0-65535
    except ValueError:
        return "The port must be a number from 1 to 65535."
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return "Enter a valid URL, e.g. https://search.example.org/hooks/catalog."
    return None


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the low 32 bits
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local use, wherever it routes
TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # RFC 2765's IPv4-translated addresses
COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible addresses (::127.0.0.1)


def public(address: str) -> bool:
    """Whether a webhook may be sent to `address`: a global unicast address, and so is every IPv4
    address an IPv6 transition form carries (mapped, compatible, translated, NAT64, 6to4, Teredo),
    since a gateway on the way would deliver to that one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        if ip in NAT64_LOCAL or ip.teredo:
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in network for network in (NAT64, TRANSLATED, COMPATIBLE)):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return public(str(embedded)) and (ip.ipv4_mapped is not None or ip.is_global)
    return ip.is_global and not ip.is_multicast


def resolve(hostname: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{hostname} does not resolve to an address") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def target(url: str, *, allow_private: bool) -> Target:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    if not allow_private:
        for address in addresses:
            if not public(address):
                raise Refused(
                    f"{parts.hostname} resolves to {address}, a private, loopback, link-local or otherwise "
                    f"non-public address: refused ({PRIVATE_HINT})"
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, addresses[0], port, parts.netloc, parts.hostname, path)


def address_problem(url: str, *, allow_private: bool) -> str | None:
    if allow_private:
        return None
    try:
        target(url, allow_private=False)
    except Refused as exc:
        return f"{str(exc)[0].upper()}{str(exc)[1:]}."
    return None


def send_all(url, secret, items, *, allow_private: bool, timeout: float, concurrency: int) -> dict:
    """POST each (key, delivery id, payload) of `items`; {key: Result} for those tried. After the first
    failure no new request starts (the endpoint is probably down): the others stay untried."""
    if not items:
        return {}
    try:
        where = target(url, allow_private=allow_private)
    except Refused as exc:
        return {items[0][0]: Result(False, None, "", f"refused: {exc}")}
    pool_class = urllib3.HTTPSConnectionPool if where.scheme == "https" else urllib3.HTTPConnectionPool
    tls = {"server_hostname": where.hostname, "assert_hostname": where.hostname} if where.scheme == "https" else {}
    workers = max(1, min(concurrency, len(items)))
    pool = pool_class(
        where.address,
        where.port,
        maxsize=workers,
        block=True,
        retries=False,
        timeout=urllib3.Timeout(connect=min(5.0, timeout), read=timeout),
        **tls,
    )
    stop = threading.Event()

    def one(item):
        key, delivery_id, payload = item
        if stop.is_set():
            return key, None
        result = post(pool, where, secret, delivery_id, payload, timeout=timeout)
        if not result.ok:
            stop.set()
        return key, result

    try:
        if workers == 1:
            done = [one(item) for item in items]
        else:
            with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="webhook") as executor:
                done = list(executor.map(one, items))
    finally:
        pool.close()
    return {key: result for key, result in done if result is not None}


def post(pool, where: Target, secret: str, delivery_id: int, payload: str, *, timeout: float) -> Result:
    body = payload.encode()
    headers = {
        "Host": where.host,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Catalog-Delivery": str(delivery_id),
        "X-Catalog-Signature": signature_header(secret, body),
    }
    try:
        response = pool.urlopen(
            "POST",
            where.path,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
    except urllib3.exceptions.NewConnectionError as exc:  # (a subclass of the timeout error, oddly)
        return Result(False, None, "", f"could not connect: {_reason(exc)}")
    except urllib3.exceptions.TimeoutError:
        return Result(False, None, "", f"no answer within {timeout:g} s (timed out)")
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return Result(False, None, "", f"could not connect: {_reason(exc)}")
    try:
        data = response.read(BODY_BYTES)
        complete = response.length_remaining == 0
    except (urllib3.exceptions.HTTPError, OSError):  # the answer's status counts; its body is only shown
        data, complete = b"", False
    # Keep the connection only if the body was read whole; a big or unfinished answer costs a new one.
    if complete:
        response.release_conn()
    else:
        response.close()
    status = response.status
    text = data.decode("utf-8", errors="replace")
    if 200 <= status < 300:
        return Result(True, status, text, "")
    if 300 <= status < 400:
        return Result(False, status, text, f"answered {status}: redirects are not followed, use the final URL")
    return Result(False, status, text, f"answered {status}")


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason)[:300]
