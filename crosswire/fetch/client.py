"""The one HTTP client of crosswire: every feed, page, robots.txt and webhook goes through ``Fetcher``.

SKELETON: the interface is final; the safety (addresses checked after name resolution and on
every redirect), the bounded decompression, robots.txt and the per-host limits are to come.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from crosswire import __version__
from crosswire.errors import CrosswireError

USER_AGENT = f"crosswire/{__version__} (self-hosted news reader; +https://pypi.org/project/crosswire/)"


class FetchError(CrosswireError):
    """An address that could not be fetched: refused as unsafe, failed, too large, or answered with an error."""

    code = "fetch_failed"

    def __init__(self, source: str, problem: str, *, status: int | None = None, kind: str = "failed") -> None:
        super().__init__(source, problem)
        self.status = status  # the HTTP status, when there was an answer
        self.kind = kind      # unsafe | scheme | timeout | too_large | redirects | robots | http | network | failed


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


@dataclass(frozen=True)
class Fetched:
    url: str                                  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """Thread-safe: one per process, shared by the threads of a poll."""

    def __init__(self, options: FetchOptions = FetchOptions()) -> None:
        self.options = options
        self._client = httpx.Client(timeout=options.timeout, follow_redirects=True,
                                    headers={"User-Agent": options.user_agent})

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str | None = None) -> Fetched:
        """GET ``url`` (conditional when given validators); a 304 is returned, any other status
        outside 2xx raises ``FetchError``."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        try:
            answer = self._client.get(url, headers=headers)
        except httpx.HTTPError as err:
            raise FetchError(url, f"cannot fetch ({err})", kind="network") from err
        if answer.status_code != 304 and not 200 <= answer.status_code < 300:
            raise FetchError(url, f"HTTP {answer.status_code}", status=answer.status_code, kind="http")
        return Fetched(str(answer.url), answer.status_code, {k.lower(): v for k, v in answer.headers.items()},
                       answer.content)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Fetched:
        """POST ``body`` (a webhook delivery); redirects are not followed; a status outside 2xx raises."""
        try:
            answer = self._client.post(url, content=body, headers=headers, follow_redirects=False)
        except httpx.HTTPError as err:
            raise FetchError(url, f"cannot deliver ({err})", kind="network") from err
        if not 200 <= answer.status_code < 300:
            raise FetchError(url, f"HTTP {answer.status_code}", status=answer.status_code, kind="http")
        return Fetched(str(answer.url), answer.status_code, {k.lower(): v for k, v in answer.headers.items()},
                       answer.content)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
