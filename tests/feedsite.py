"""A local news site for tests and benches: feeds of several outlets in several languages, pages,
and every way a source can misbehave, served by a real HTTP server on 127.0.0.1.

Built from the seed articles and the bundled NTREX-128 sample (``samples/``), so a fresh clone
alone has it. Feeds answer conditional requests (ETag and Last-Modified, 304) and log every
request, so a test can tell what a poll fetched.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import html
import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
BASE_TIME = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


@dataclass
class Item:
    title: str
    text: str             # the article's text, one paragraph a line
    slug: str             # its page is /<outlet>/articles/<slug>.html
    teaser: bool = False  # the feed gives a one-line summary only; the text is on the page
    minutes: int = 0      # published BASE_TIME + minutes


@dataclass
class Logged:
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class Site:
    """What the server serves: exact paths to bytes (feeds, pages), and special routes."""

    feeds: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path -> (body, content type)
    log: list[Logged] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    slow_seconds: float = 3.0
    flaky_calls: int = 0
    hooks: list[tuple[dict[str, str], bytes]] = field(default_factory=list)  # POSTs to /hook
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self, prefix: str = "") -> list[Logged]:
        with self.lock:
            return [r for r in self.log if r.path.startswith(prefix)]

    def add_outlet(self, slug: str, name: str, language: str, items: list[Item], atom: bool = False) -> str:
        """An outlet's feed at /<slug>/feed.xml and a page per item; returns the feed's path."""
        for item in items:
            self.feeds[f"/{slug}/articles/{item.slug}.html"] = (page(item, name, language), "text/html; charset=utf-8")
        path = f"/{slug}/feed.xml"
        base = f"http://127.0.0.1:{self.port}/{slug}"
        body = atom_feed(name, language, base, items) if atom else rss_feed(name, language, base, items)
        self.feeds[path] = (body, "application/atom+xml" if atom else "application/rss+xml")
        self.feeds[f"/{slug}/"] = (home_page(name, f"/{slug}/feed.xml", atom), "text/html; charset=utf-8")
        return path


def paragraphs(text: str) -> str:
    """An article's text as HTML, one paragraph a line (a feed's full content)."""
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())


def rss_feed(name: str, language: str, base: str, items: list[Item]) -> bytes:
    out = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
           f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{escape(name)}</title>'
           f"<link>{base}/</link><language>{language}</language><description>{escape(name)}</description>"]
    for item in items:
        when = format_datetime(BASE_TIME + timedelta(minutes=item.minutes))
        link = f"{base}/articles/{item.slug}.html?utm_source=rss"
        first = item.text.split("\n")[0]
        out.append(f"<item><title>{escape(item.title)}</title><link>{escape(link)}</link>"
                   f"<guid isPermaLink=\"false\">{item.slug}</guid><pubDate>{when}</pubDate>"
                   f"<description>{escape(first[:200])}</description>")
        if not item.teaser:
            out.append(f"<content:encoded><![CDATA[{paragraphs(item.text)}]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


def atom_feed(name: str, language: str, base: str, items: list[Item]) -> bytes:
    out = [f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{language}">'
           f"<title>{escape(name)}</title><id>{base}/</id><updated>{BASE_TIME.isoformat()}</updated>"]
    for item in items:
        when = (BASE_TIME + timedelta(minutes=item.minutes)).isoformat()
        out.append(f"<entry><title>{escape(item.title)}</title><id>urn:test:{item.slug}</id>"
                   f'<link rel="alternate" href="{base}/articles/{item.slug}.html"/><updated>{when}</updated>'
                   f"<published>{when}</published><summary>{escape(item.text.split(chr(10))[0][:200])}</summary>")
        if not item.teaser:
            out.append(f'<content type="html">{escape(paragraphs(item.text))}</content>')
        out.append("</entry>")
    out.append("</feed>")
    return "".join(out).encode("utf-8")


def page(item: Item, outlet: str, language: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in item.text.split("\n")[1:] if line.strip())
    return (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(item.title)}'
            f'</title><meta property="og:site_name" content="{html.escape(outlet)}"></head><body>'
            f'<nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{html.escape(item.title)}</h1>'
            f"{paragraphs}</article><footer>© {html.escape(outlet)}</footer></body></html>").encode("utf-8")


def home_page(name: str, feed: str, atom: bool) -> bytes:
    kind = "application/atom+xml" if atom else "application/rss+xml"
    return (f'<!DOCTYPE html><html><head><title>{html.escape(name)}</title>'
            f'<link rel="alternate" type="{kind}" title="{html.escape(name)}" href="{feed}"></head>'
            f"<body><h1>{html.escape(name)}</h1></body></html>").encode("utf-8")


def ntrex_items(language: str, teaser: bool = False) -> list[Item]:
    """The bundled NTREX-128 sample's documents in ``language`` (eng, arb, nob, deu, zho-CN, jpn, hau, amh)."""
    items = []
    for n, line in enumerate((SAMPLES / "ntrex" / "ntrex_sample.jsonl").read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        if row["id"].endswith("." + language):
            title, _, _ = row["text"].partition("\n")
            items.append(Item(title, row["text"], row["id"].replace(".", "-"), teaser, minutes=n))
    return items


def seed_item(seeds: Path, name: str, teaser: bool = False) -> Item:
    text = (seeds / name).read_text(encoding="utf-8").strip()
    return Item(text.split("\n")[0], text, name.removesuffix(".txt"), teaser, minutes=120)


def gzip_bomb(size: int) -> bytes:
    """``size`` bytes of zeros, gzipped (about a thousandth of it)."""
    squeeze = zlib.compressobj(6, zlib.DEFLATED, 31)
    chunk = b"\0" * 2**20
    out = [squeeze.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(out) + squeeze.flush()


class Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        with self.site.lock:
            self.site.log.append(Logged(self.path, status, {k.lower(): v for k, v in self.headers.items()}))
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        special: dict[str, Callable[[], None]] = {
            "/robots.txt": lambda: self._send(404),
            "/broken/feed.xml": lambda: self._send(500, b"internal error"),
            "/busy/feed.xml": lambda: self._send(503, b"come back later", {"Retry-After": "7200"}),
            "/slow/feed.xml": self._slow,
            "/moved/feed.xml": lambda: self._send(301, headers={"Location": "/moved/1"}),
            "/moved/1": lambda: self._send(302, headers={"Location": self.site.url("/moved/2")}),
            "/moved/2": lambda: self._send(307, headers={"Location": "/de/feed.xml"}),
            "/private/feed.xml": lambda: self._send(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
            "/huge/feed.xml": lambda: self._send(200, b"<?xml version='1.0'?><rss>" + b" " * (3 * 2**20) + b"</rss>",
                                                  {"Content-Type": "application/rss+xml"}),
            "/bomb/feed.xml": lambda: self._send(200, bomb(), {"Content-Type": "application/rss+xml",
                                                             "Content-Encoding": "gzip"}),
            "/malformed/feed.xml": lambda: self._send(200, b"<?xml version='1.0'?><rss><channel><title>x</ti",
                                                      {"Content-Type": "application/rss+xml"}),
            "/turned-html/feed.xml": lambda: self._send(200, b"<!DOCTYPE html><html><body>We moved!</body></html>",
                                                        {"Content-Type": "text/html"}),
        }
        if path == "/flaky/page.html":  # 503 the first time, the article after
            with self.site.lock:
                self.site.flaky_calls += 1
                first = self.site.flaky_calls == 1
            if first:
                self._send(503, b"try later", {"Retry-After": "1"})
                return
        if path in special:
            special[path]()
            return
        found = self.site.feeds.get(path)
        if found is None:
            self._send(404, b"not found")
            return
        body, kind = found
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = format_datetime(BASE_TIME, usegmt=True)
        if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == modified:
            self._send(304, headers={"ETag": etag})
            return
        headers = {"Content-Type": kind, "ETag": etag, "Last-Modified": modified}
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(200, body, headers)

    def do_POST(self) -> None:
        """/hook: a webhook receiver that keeps what it is sent (headers and body)."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/hook":
            self._send(404)
            return
        with self.site.lock:
            self.site.hooks.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self._send(204)

    def _slow(self) -> None:
        time.sleep(self.site.slow_seconds)
        self._send(200, b"<?xml version='1.0'?><rss version='2.0'><channel><title>slow</title></channel></rss>",
                   {"Content-Type": "application/rss+xml"})


@functools.cache
def bomb() -> bytes:
    return gzip_bomb(64 * 2**20)  # 64 MiB of zeros in ~64 KB: far over any limit the tests set


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (a timeout, a refused body) is what some tests are about


class FeedServer:
    """The site served on 127.0.0.1 in a thread; ``close()`` stops it."""

    def __init__(self, site: Site | None = None) -> None:
        self.site = site or Site()
        bomb()  # made before any request: a client's timeout must not run while it is made
        handler = type("SiteHandler", (Handler,), {"site": self.site})
        self.httpd = QuietServer(("127.0.0.1", 0), handler)
        self.site.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def many_outlets(site: Site, texts: list[tuple[str, str, str]], feeds: int, entries: int,
                 teasers: float = 0.0) -> tuple[list[str], list[dict[str, str]]]:
    """``feeds`` outlets of ``entries`` entries each from ``texts`` ((language, title, text), one per
    entry, in order; a share ``teasers`` of them summary-only): the feeds' addresses, and the same
    articles as JSON Lines rows (for ``crosswire ingest``)."""
    urls, rows = [], []
    for f in range(feeds):
        items = []
        for e in range(entries):
            n = f * entries + e
            _, title, text = texts[n]
            items.append(Item(title, text, f"a{n}", (n % 100) < teasers * 100, minutes=n))
            rows.append({"id": f"a{n}", "title": title, "text": text, "outlet": f"Outlet {f}",
                         "url": site.url(f"/o{f}/articles/a{n}.html")})
        urls.append(site.url(site.add_outlet(f"o{f}", f"Outlet {f}", texts[f * entries][0], items)))
    return urls, rows


def sample_texts(count: int) -> list[tuple[str, str, str]]:
    """``count`` distinct (language, title, text) from the bundled NTREX sample (32 documents), repeated
    with numbered titles when more are asked for."""
    found = [(it.slug.rsplit("-", 1)[-1], it.title, it.text)
             for lang in ("eng", "arb", "nob", "deu", "zho-CN", "jpn", "hau", "amh") for it in ntrex_items(lang)]
    return [(found[n % len(found)][0], found[n % len(found)][1] if n < len(found) else f"{found[n % len(found)][1]} ({n})",
             found[n % len(found)][2]) for n in range(count)]
