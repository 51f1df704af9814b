"""A response body's Content-Encoding undone chunk by chunk, never beyond a limit.

httpx would decompress a body whole: a 1 MB gzip of zeros (a "gzip bomb") then becomes 1 GB in
memory before any size could be checked. Here each compressed chunk is inflated with zlib's
``max_length``: at most one byte beyond what the limit leaves, so the body in memory never
exceeds the limit by more than one chunk, and the fetch stops as soon as it would.
"""
from __future__ import annotations

import zlib

GZIP_MAGIC = b"\x1f\x8b"


class TooLarge(Exception):
    """The decoded body would exceed the limit."""


class BadEncoding(Exception):
    """A Content-Encoding not asked for, or a body that does not decode."""


def encodings(header: str) -> list[str]:
    """The codings of a Content-Encoding header, in the order they were applied (identity left out)."""
    found = [part.strip().lower() for part in header.split(",")]
    return [{"x-gzip": "gzip"}.get(name, name) for name in found if name and name != "identity"]


class _Inflate:
    """One gzip or deflate layer, its output counted against the limit."""

    def __init__(self, coding: str, limit: int) -> None:
        self.coding = coding
        self.limit = limit
        self.total = 0
        self.done = False
        self.started = False
        self._z = self._new()

    def _new(self, raw: bool = False) -> zlib._Decompress:
        if self.coding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is zlib-wrapped by the standard and raw deflate by some servers (as browsers
        # and httpx accept, so do we: raw is tried when the zlib header is wrong).
        return zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data and not self.done:
            room = self.limit - self.total + 1  # one byte more than allowed: enough to know it is over
            try:
                piece = self._z.decompress(data, room)
            except zlib.error as err:
                if self.coding == "deflate" and not self.started:
                    self.started = True
                    self._z = self._new(raw=True)
                    continue
                raise BadEncoding(f"the {self.coding} body does not decode ({err})") from err
            self.started = True
            self.total += len(piece)
            if self.total > self.limit:
                raise TooLarge(self.coding)
            out.append(piece)
            if self._z.eof:
                data = self._z.unused_data
                # Several gzip members make one body (RFC 1952); anything else after the end
                # (padding, garbage) is ignored, as browsers do.
                if self.coding == "gzip" and data.startswith(GZIP_MAGIC):
                    self._z = self._new()
                else:
                    self.done = True
            else:
                # Not over the limit, so zlib stopped for want of input, not of room: what is left
                # (nothing, normally) is input still to inflate.
                data = self._z.unconsumed_tail
        return b"".join(out)

    def finish(self) -> bytes:
        # A body cut short (no end of stream) is kept as far as it goes, as browsers keep it.
        rest = b"" if self.done else self._z.flush()
        self.total += len(rest)
        if self.total > self.limit:
            raise TooLarge(self.coding)
        return rest


class Decoder:
    """Undo ``codings`` (as ``encodings`` lists them), each layer's output held to ``limit`` bytes."""

    def __init__(self, codings: list[str], limit: int) -> None:
        unknown = [name for name in codings if name not in ("gzip", "deflate")]
        if unknown:
            # Only gzip and deflate are asked for (Accept-Encoding); br or zstd would be a server's error.
            raise BadEncoding(f"the body is in Content-Encoding {unknown[0]!r}, which crosswire does not decode")
        self.limit = limit
        self._layers = [_Inflate(name, limit) for name in reversed(codings)]
        self.total = 0
        self.decoded = bool(codings)

    def feed(self, data: bytes) -> bytes:
        for layer in self._layers:
            data = layer.feed(data)
        return self._count(data)

    def finish(self) -> bytes:
        data = b""
        for layer in self._layers:
            data = layer.feed(data) + layer.finish()
        return self._count(data)

    def _count(self, data: bytes) -> bytes:
        self.total += len(data)
        if self.total > self.limit:
            raise TooLarge("identity")
        return data
