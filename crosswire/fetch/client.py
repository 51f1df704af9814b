"""The one HTTP client of crosswire: every feed, page, robots.txt and webhook goes through ``Fetcher``.

What every request gets, and where it is done:

- Only http and https; the address connected to is checked after name resolution, on every hop
  of a redirect, inside the connection itself (``addresses.SafeBackend``). Redirects are followed
  here, not by httpx, so that each hop is also checked against robots.txt and the host's limits.
- A body bounded after decompression (``body.Decoder``): gzip and deflate are asked for and
  undone here from the raw bytes, never by httpx.
- A timeout per connect, read and write, and a deadline for the whole request (``deadline``).
- robots.txt (``robots.RobotsCache``) before a GET, and per-host politeness (``hosts.HostGate``).
- No cookies kept: each fetch stands alone, whatever the previous one was told.
- One error type: every failure is a ``FetchError`` whose message names the address.
"""
from __future__ import annotations

import dataclasses
import datetime
import email.utils
import functools
import http.cookiejar
import ssl
import time
import urllib.parse
from dataclasses import dataclass, field

import httpcore
import httpx

from crosswire import __version__
from crosswire.errors import CrosswireError
from crosswire.fetch import robots as robots_txt
from crosswire.fetch.addresses import AddressPolicy, SafeBackend, Unresolvable, UnsafeAddress
from crosswire.fetch.body import BadEncoding, Decoder, TooLarge, encodings
from crosswire.fetch.hosts import HostGate

USER_AGENT = f"crosswire/{__version__} (self-hosted news reader; +https://pypi.org/project/crosswire/)"
ACCEPT_ENCODING = "gzip, deflate"  # what body.Decoder undoes; nothing else is asked for
REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEADLINE_FACTOR = 3  # the default deadline of one request: this many timeouts


class FetchError(CrosswireError):
    """An address that could not be fetched: refused as unsafe, failed, too large, or answered with an error."""

    code = "fetch_failed"

    def __init__(self, source: str, problem: str, *, status: int | None = None, kind: str = "failed",
                 retry_after: float | None = None) -> None:
        super().__init__(source, problem)
        self.status = status  # the HTTP status, when there was an answer
        # unsafe | scheme | timeout | too_large | redirects | robots | http | network | tls | failed
        self.kind = kind
        self.retry_after = retry_after  # seconds the server asked us to wait (429, 503: Retry-After)

    def __reduce__(self) -> tuple[object, ...]:
        # The base class rebuilds source and problem only; kind and status are what callers act on.
        return _rebuild_fetch_error, (type(self), self.source, self.problem, self.status, self.kind, self.retry_after)


def _rebuild_fetch_error(cls: type[FetchError], source: str, problem: str, status: int | None, kind: str,
                         retry_after: float | None = None) -> FetchError:
    return cls(source, problem, status=status, kind=kind, retry_after=retry_after)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait: a number of seconds or an HTTP date (RFC 9110,
    10.2.3); None when absent or unreadable, never negative."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class FetchOptions:
    allow_private: bool = False               # loopback, private, link-local, metadata addresses allowed
    allowed_networks: tuple[str, ...] = ()    # CIDRs allowed although private (an intranet's)
    timeout: float = 20.0                     # seconds: connect, and between two reads
    max_bytes: int = 10 * 2**20               # of a body, after decompression
    max_redirects: int = 5
    per_host: int = 2                         # requests at once to one host
    host_delay: float = 1.0                   # seconds between two requests to one host
    robots: bool = True                       # obey robots.txt
    user_agent: str = USER_AGENT
    deadline: float | None = None             # seconds for one whole request (each redirect hop); None: 3 × timeout


@dataclass(frozen=True)
class Fetched:
    url: str                                  # after redirects
    status: int
    # Names in lower case. When the body was decompressed, content-encoding and content-length
    # are left out: they described the bytes on the wire, not ``body``.
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class _Answer:
    """One HTTP exchange: the body is read only for a 2xx."""

    url: httpx.URL
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    redirected: bool = False  # the answer of a redirect's target, not of the address asked


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n:,} bytes"


def _robots_url(url: httpx.URL) -> str:
    # netloc is host[:port] without any user:password, as robots.txt is the origin's.
    return f"{url.scheme}://{url.netloc.decode('ascii')}/robots.txt"


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """certifi's CAs (or SSL_CERT_FILE / SSL_CERT_DIR), verified; loading them takes 60 ms, so once.
    Shared by every Fetcher: a context is safe to use from many connections and threads."""
    return httpx.create_ssl_context()


def _build_client(backend: SafeBackend, options: FetchOptions) -> httpx.Client:
    ssl_context = _ssl_context()
    transport = httpx.HTTPTransport(verify=ssl_context, retries=0)
    # httpx has no way to give its transport a network backend, and the backend is where the
    # address check must be (after resolution, on the socket actually opened). httpx is pinned
    # (pyproject), so replacing the transport's private pool is safe until a deliberate upgrade;
    # the tests would show at once if it stopped working (private addresses would be reached).
    limits = httpx.Limits()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context, max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        network_backend=backend)
    # A transport given, httpx ignores HTTP(S)_PROXY: a proxy would connect on our behalf to
    # addresses never checked. trust_env=False also leaves ~/.netrc out.
    never_keep = http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
    return httpx.Client(transport=transport, follow_redirects=False, trust_env=False,
                        timeout=httpx.Timeout(options.timeout),
                        cookies=http.cookiejar.CookieJar(policy=never_keep),
                        headers={"User-Agent": options.user_agent, "Accept-Encoding": ACCEPT_ENCODING})


class Fetcher:
    """Thread-safe: one per process, shared by the threads of a poll."""

    def __init__(self, options: FetchOptions = FetchOptions()) -> None:
        self.options = options
        try:
            policy = AddressPolicy(options.allow_private, options.allowed_networks)
        except ValueError as err:
            raise FetchError("allowed_networks", str(err), kind="failed") from None
        self._deadline = options.deadline if options.deadline is not None else DEADLINE_FACTOR * options.timeout
        self._backend = SafeBackend(policy)
        self._client = _build_client(self._backend, options)
        self._gate = HostGate(options.per_host, options.host_delay)
        self._robots = robots_txt.RobotsCache(self._fetch_robots)

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str | None = None) -> Fetched:
        """GET ``url`` (conditional when given validators); a 304 is returned, any other status
        outside 2xx raises ``FetchError``."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        # Validators go on to a redirect's target too: what the caller holds is the final
        # resource of the last fetch (Fetched.url), not the address it asked.
        answer = self._follow(url, headers, self.options.max_bytes, robots=self.options.robots)
        if answer.status == 304 or 200 <= answer.status < 300:
            return Fetched(str(answer.url), answer.status, answer.headers, answer.body)
        raise self._status_error(url, answer)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Fetched:
        """POST ``body`` (a webhook delivery); redirects are not followed; a status outside 2xx raises."""
        target = self._parse(url, url, None)
        # robots.txt is for crawlers, not for deliveries a user set up; the host's limits still hold.
        answer = self._exchange("POST", target, url, None, headers, body, self.options.max_bytes, None)
        if 200 <= answer.status < 300:
            return Fetched(str(answer.url), answer.status, answer.headers, answer.body)
        if answer.status in REDIRECTS:
            where = answer.headers.get("location", "nowhere")
            # A delivery is not re-sent elsewhere: the body may be private, and a 307 to an
            # unchecked place is how a webhook would leak it.
            raise FetchError(url, f"HTTP {answer.status}: a redirect (to {where}), which a webhook delivery does "
                                  f"not follow", status=answer.status, kind="http")
        raise self._status_error(url, answer)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the steps of a fetch ----------------------------------------------------------------

    def _follow(self, original: str, headers: dict[str, str], limit: int, *, robots: bool) -> _Answer:
        """GET ``original``, following redirects ourselves, each hop checked afresh."""
        current = self._parse(original, original, None)
        via: str | None = None  # the redirect's target being fetched; None for the address asked
        redirects = 0
        while True:
            delay = self._robots_delay(current, original, via) if robots else None
            answer = self._exchange("GET", current, original, via, headers, None, limit, delay)
            if answer.status not in REDIRECTS:
                return dataclasses.replace(answer, redirected=via is not None)
            target = self._redirect_target(original, answer)
            if redirects >= self.options.max_redirects:
                raise FetchError(original, f"more than {self.options.max_redirects} redirects (the next to {target})",
                                 status=answer.status, kind="redirects")
            via = target
            current = self._parse(via, original, via)
            redirects += 1

    def _redirect_target(self, original: str, answer: _Answer) -> str:
        """Where a redirect points, as an absolute address (as written: it is shown in messages)."""
        location = answer.headers.get("location", "").strip()
        try:
            if location:
                return urllib.parse.urldefrag(urllib.parse.urljoin(str(answer.url), location)).url
        except ValueError:
            pass
        raise FetchError(original, f"HTTP {answer.status}: a redirect to no valid address ({location or 'no Location'})",
                         status=answer.status, kind="http")

    def _parse(self, url: str, original: str, via: str | None) -> httpx.URL:
        """``url`` as an http(s) address, or the FetchError that refuses it."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as err:
            raise self._named(original, via, f"not a valid address ({err})", kind="scheme") from None
        if parsed.scheme not in ("http", "https"):
            scheme = f"{parsed.scheme}:" if parsed.scheme else "a relative address"
            raise self._named(original, via, f"refused: only http and https addresses are fetched, not {scheme}",
                              kind="scheme")
        if not parsed.host:
            raise self._named(original, via, "not a valid address (no host)", kind="scheme")
        return parsed

    @staticmethod
    def _named(original: str, via: str | None, problem: str, *, kind: str, status: int | None = None) -> FetchError:
        """An error naming the address asked for, and the redirect's target (``via``) when it was one."""
        if via is not None:
            problem = f"redirected to {via}: {problem}"
        return FetchError(original, problem, status=status, kind=kind)

    def _robots_delay(self, url: httpx.URL, original: str, via: str | None) -> float | None:
        """Refuse ``url`` if its robots.txt disallows it; else the Crawl-delay it asks, if any."""
        where = _robots_url(url)
        rules = self._robots.rules(where)
        if not rules.allows(self.options.user_agent, str(url)):
            raise self._named(original, via, f"disallowed by {where}", kind="robots")
        return rules.crawl_delay(self.options.user_agent)

    def _fetch_robots(self, robots_url: str) -> tuple[int, bytes] | None:
        """robots.txt for ``robots.RobotsCache``: its status and body, or None when it did not come."""
        try:
            answer = self._follow(robots_url, {"Accept": "text/plain"}, robots_txt.MAX_BYTES, robots=False)
        except FetchError:
            return None  # robots.py says what that means
        return answer.status, answer.body

    def _exchange(self, method: str, url: httpx.URL, original: str, via: str | None, headers: dict[str, str],
                  content: bytes | None, limit: int, delay: float | None) -> _Answer:
        """One request and its answer, within the host's limits and the deadline; a FetchError for any failure."""
        try:
            request = self._client.build_request(method, url, headers=headers, content=content)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as err:
            raise self._named(original, via, f"cannot make the request ({err})", kind="failed") from None
        # Whatever the caller's headers say: only what body.Decoder undoes, and our name.
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        request.headers["User-Agent"] = self.options.user_agent
        with self._gate.turn(url.host.lower(), delay):
            started = time.monotonic()
            try:
                with self._backend.deadline(self._deadline):
                    response = self._client.send(request, stream=True)
                    try:
                        return self._answer(response, original, via, limit)
                    finally:
                        response.close()
            except FetchError:
                raise
            except UnsafeAddress as err:
                raise self._named(original, via, f"refused: {err.reason}; --allow-private allows it",
                                  kind="unsafe") from None
            except Unresolvable as err:
                raise self._named(original, via, f"cannot resolve {err.host} ({err.reason})", kind="network") from err
            except httpx.TimeoutException as err:
                raise self._named(original, via, self._timed_out(err, time.monotonic() - started), kind="timeout") from err
            except httpx.HTTPError as err:
                kind, problem = _failure(err)
                raise self._named(original, via, problem, kind=kind) from err

    def _answer(self, response: httpx.Response, original: str, via: str | None, limit: int) -> _Answer:
        headers = {name.lower(): value for name, value in response.headers.items()}
        body = b""
        if 200 <= response.status_code < 300:
            body, decoded = self._read(response, original, via, limit)
            if decoded:
                headers.pop("content-encoding", None)
                headers.pop("content-length", None)
        return _Answer(response.url, response.status_code, response.reason_phrase, headers, body)

    def _read(self, response: httpx.Response, original: str, via: str | None, limit: int) -> tuple[bytes, bool]:
        """The body, decoded, held to ``limit`` bytes from the raw stream on; whether it was decoded."""
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise self._named(original, via, f"too large: {int(declared):,} bytes announced, over the "
                                               f"{_size(limit)} limit", kind="too_large")
        try:
            decoder = Decoder(encodings(response.headers.get("content-encoding", "")), limit)
            body = bytearray()
            raw = 0
            # iter_raw: the bytes as sent. httpx's iter_bytes would decompress without a bound.
            for chunk in response.iter_raw():
                raw += len(chunk)
                if raw > limit:  # compressed data this large decodes larger still, or is padding
                    raise TooLarge("raw")
                body += decoder.feed(chunk)
            body += decoder.finish()
        except TooLarge:
            raise self._named(original, via, f"too large: the body is over the {_size(limit)} limit",
                              kind="too_large") from None
        except BadEncoding as err:
            raise self._named(original, via, str(err), kind="failed") from None
        return bytes(body), decoder.decoded

    def _timed_out(self, err: httpx.TimeoutException, took: float) -> str:
        if took >= self._deadline - 0.05:
            return f"timed out: the request took over {self._deadline:g} s, the most one may take"
        what = {httpx.ConnectTimeout: "cannot connect", httpx.WriteTimeout: "cannot send the request",
                httpx.PoolTimeout: "no free connection"}.get(type(err), "no answer")
        return f"timed out: {what} within {self.options.timeout:g} s"

    def _status_error(self, url: str, answer: _Answer) -> FetchError:
        problem = f"HTTP {answer.status} {answer.reason}".strip()
        if answer.redirected:
            problem = f"{problem} (at {answer.url})"
        wait = retry_after(answer.headers.get("retry-after")) if answer.status in (429, 503) else None
        return FetchError(url, problem, status=answer.status, kind="http", retry_after=wait)


def _causes(err: BaseException) -> list[BaseException]:
    """``err`` and what it was raised from (httpx's error <- httpcore's <- the socket's)."""
    chain: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _failure(err: httpx.HTTPError) -> tuple[str, str]:
    """The kind and the one-line problem of an httpx error other than a timeout."""
    chain = _causes(err)
    detail = next((str(e) for e in chain if str(e)), type(err).__name__)
    tls = next((e for e in chain if isinstance(e, (ssl.SSLError, ssl.CertificateError))), None)
    if tls is not None:
        reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or str(tls)
        return "tls", f"TLS failed ({reason})"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "network", "cannot connect: connection refused"
    if isinstance(err, httpx.ConnectError):
        return "network", f"cannot connect ({detail})"
    if isinstance(err, httpx.RemoteProtocolError):
        return "network", f"the server broke off or broke the protocol ({detail})"
    if isinstance(err, httpx.LocalProtocolError):
        return "failed", f"cannot send the request ({detail})"
    if isinstance(err, httpx.UnsupportedProtocol):
        return "scheme", f"refused ({detail})"
    if isinstance(err, httpx.TransportError):
        return "network", f"the connection failed ({detail})"
    return "failed", f"cannot fetch ({detail})"
