"""Text helpers shared by the renderers: display width, wrapping, direction."""
from __future__ import annotations

import unicodedata

# Primary language subtags written right to left.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "iw", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
# ISO 15924 script subtags (lower case) written right to left, e.g. "az-Arab".
RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "mand", "samr", "rohg"})

# Explicit bidi embeddings, overrides and isolates: left unbalanced in untrusted text they
# would reorder everything after them on a terminal line, including the other column.
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


# Closing punctuation that must stay on the line of the character before it (kinsoku).
_NO_BREAK_BEFORE = frozenset("、。，．！？：；）」』】〕〉》”’,.!?:;)]}…・")


def char_width(ch: str) -> int:
    """Terminal columns taken by one code point: 0, 1 or 2."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    if ch in "\u1160\u200b":  # Hangul medial filler and zero width space take no column
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def clean_for_terminal(text: str) -> str:
    """One line of printable text: whitespace controls become spaces, other controls go.

    Article text is untrusted; an ESC in it could otherwise drive the user's terminal.
    """
    out: list[str] = []
    for ch in text:
        if ch in "\t\n\r\x0b\x0c\x85\u2028\u2029":
            out.append(" ")
        elif unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS:
            continue
        else:
            out.append(ch)
    return "".join(out)


def _clusters(text: str) -> list[str]:
    """Split into base characters with their following zero-width marks attached."""
    clusters: list[str] = []
    for ch in text:
        if clusters and char_width(ch) == 0 and not ch.isspace():
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _tokens(text: str) -> list[str]:
    """Break opportunities: whitespace runs, single wide characters, other runs.

    CJK text has no spaces, so every wide character is its own token and a line may
    break between any two of them.
    """
    tokens: list[str] = []
    kind_prev: str | None = None
    for cl in _clusters(text):
        if cl[0] in _NO_BREAK_BEFORE and tokens and kind_prev == "wide":
            tokens[-1] += cl  # a line may not begin with closing punctuation
            continue
        kind = "space" if cl.isspace() else ("wide" if display_width(cl) == 2 else "word")
        if tokens and kind == kind_prev and kind != "wide":
            tokens[-1] += cl
        else:
            tokens.append(cl)
        kind_prev = kind
    return tokens


def wrap_display(text: str, width: int) -> list[str]:
    """Wrap ``text`` to lines of at most ``width`` display columns (at least one line)."""
    width = max(1, width)
    lines: list[str] = []
    line = ""
    line_w = 0
    for token in _tokens(" ".join(text.split())):
        tok_w = display_width(token)
        if token.isspace():
            if line and line_w + tok_w <= width:
                line += token
                line_w += tok_w
            elif line:
                lines.append(line.rstrip())
                line, line_w = "", 0
            continue
        if line_w + tok_w <= width:
            line += token
            line_w += tok_w
            continue
        if line:
            lines.append(line.rstrip())
            line, line_w = "", 0
        if tok_w <= width:
            line, line_w = token, tok_w
            continue
        for cl in _clusters(token):  # a word longer than the line: cut it anywhere
            cl_w = display_width(cl)
            if line and line_w + cl_w > width:
                lines.append(line)
                line, line_w = "", 0
            line += cl
            line_w += cl_w
    if line or not lines:
        lines.append(line.rstrip())
    return lines


def pad_display(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def truncate_display(text: str, width: int, ellipsis: str = "…") -> str:
    if display_width(text) <= width:
        return text
    out = ""
    used = 0
    limit = max(0, width - display_width(ellipsis))
    for cl in _clusters(text):
        cl_w = display_width(cl)
        if used + cl_w > limit:
            break
        out += cl
        used += cl_w
    return out + ellipsis if width >= display_width(ellipsis) else out


def is_rtl(language: str | None, text: str) -> bool:
    """True when text in ``language`` (a BCP 47 tag, may be None) is written right to left.

    The tag decides when it names an RTL language or script; otherwise the text does:
    RTL when most of its letters are of a right-to-left script (Arabic, Hebrew, Syriac,
    Thaana, N'Ko, ...).
    """
    if language:
        subtags = language.replace("_", "-").lower().split("-")
        scripts = [t for t in subtags[1:] if len(t) == 4 and t.isalpha()]
        if scripts:
            if scripts[0] in RTL_SCRIPTS:
                return True
        elif subtags[0] in RTL_LANGUAGES:
            return True
    rtl = letters = 0
    for ch in text:
        if unicodedata.category(ch).startswith("L"):
            letters += 1
            if unicodedata.bidirectional(ch) in ("R", "AL"):
                rtl += 1
    return letters > 0 and rtl * 2 > letters
