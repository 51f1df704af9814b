"""Bytes to text: byte-order marks, binary files, UTF-8 and the legacy code pages of news sites.

UTF-8 is tried first (a BOM or valid UTF-8 is near-certain), then the encoding a page
declares, then a guess (charset-normalizer). UTF-8 with a few damaged bytes is refused
rather than guessed, and so is a guess that leaves bytes it cannot read: either would
store mojibake.
"""
from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

# UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def bom_codec(data: bytes) -> str | None:
    return next((codec for bom, codec in BOMS if data.startswith(bom)), None)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters mean an image, archive or office file."""
    codec = bom_codec(data)
    if codec in ("utf-16", "utf-32"):  # NULs are normal there: judge the decoded characters
        sample = data[:65536].decode(codec, errors="replace")
    else:
        sample = data[:65536].decode("latin-1")  # one character per byte, never fails
    if "\x00" in sample or (codec is None and b"\x00" in data):
        return True
    controls = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f\v") or ch == "\x7f")
    return controls > len(sample) * 0.05


def decode(data: bytes, hint: str | None = None) -> tuple[str, str] | str:
    """The text and its encoding, or the problem when no encoding decodes the bytes cleanly."""
    # A BOM or valid UTF-8 is near-certain; guessing comes last because short
    # texts in single-byte encodings can fit several code pages.
    for codec in filter(None, (bom_codec(data), "utf-8", hint)):
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    damaged = damaged_utf8(data)
    if damaged:
        return damaged
    from charset_normalizer import from_bytes  # imported late: only non-UTF-8 files need it

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return "cannot detect the text encoding"
    # Short texts often tie (cp1250 and cp1252 read most Latin letters alike); cp1252,
    # the most common legacy code page of news sites, is then the likelier one.
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    best = next((m for m in tied if m.encoding == "cp1252"), best)
    text = str(best)
    if "\ufffd" in text:  # bytes that are no character in the guessed encoding either
        return f"cannot detect the text encoding (some bytes are no character in {best.encoding}, the best guess)"
    return text, best.encoding


def damaged_utf8(data: bytes) -> str | None:
    """The problem with UTF-8 that has a few bad bytes, or None when the bytes are no UTF-8 at all.

    Read in a legacy code page, such a file turns every non-ASCII letter into mojibake
    ("Økonomien" into "ﾃ鰐onomien"), so it is refused. Text in a legacy code page has
    next to no valid multi-byte UTF-8 sequences; damaged UTF-8 has more of them than bad bytes."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    good = sum(1 for ch in text if ch > "\x7f" and ch != "\ufffd")
    if not good or good < bad:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return (f"not valid UTF-8 at byte offset {err.start} (line {line}), though the rest is UTF-8: "
                "the file is damaged; repair it or save it again as UTF-8")
    return None


def utf8_lines(raws: Iterable[bytes]) -> Iterator[tuple[int, str | int]]:
    """Each line decoded and numbered from 1; where a line is not UTF-8, the byte offset in it where it stops."""
    for n, raw in enumerate(raws, 1):
        bom = len(codecs.BOM_UTF8) if n == 1 and raw.startswith(codecs.BOM_UTF8) else 0
        try:
            yield n, raw[bom:].decode("utf-8")
        except UnicodeDecodeError as err:
            yield n, bom + err.start
