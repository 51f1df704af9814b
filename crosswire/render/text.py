"""Text helpers shared by the renderers: display width, wrapping, direction."""
from __future__ import annotations

import re
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


# Terminal control sequences, removed whole so that no parameter text is left behind:
# string sequences (OSC, DCS, SOS, PM, APC; ``ESC ] 0 ; title BEL`` retitles the terminal) up
# to their terminator (BEL or ST) or the end of the line, CSI sequences (7-bit ``ESC [`` and
# 8-bit U+009B), and the other two-character ESC sequences (``ESC c`` resets the terminal).
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -/]*[0-~]?"
)
# Line and paragraph breaks that are not "\n": one space each on a single line.
_BREAKS = "\t\n\r\x0b\x0c\x85\u2028\u2029"


def clean_for_terminal(text: str, *, keep_lines: bool = False) -> str:
    """Text that is safe to print on a terminal: no control sequences, controls or bidi overrides.

    Article text, titles and file names are untrusted: an ESC, a C1 control (U+0080-U+009F,
    which terminals read as controls too) or an unbalanced bidi override in them could
    otherwise retitle, recolour or garble the user's terminal. Escape sequences go whole,
    then every other C0/C1 control and explicit bidi control. With ``keep_lines`` newlines
    and tabs stay (a whole rendered output); without, every line break or tab becomes a
    space (one line of a view, one error line). Every terminal write of the CLI comes here.
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    out: list[str] = []
    for ch in text:
        if keep_lines and ch in "\n\t":
            out.append(ch)
        elif not keep_lines and ch in _BREAKS:
            out.append(" ")
        elif unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS:
            continue
        else:
            out.append(ch)
    return "".join(out)


# What JSON text may hold raw but a terminal would read as controls: C1 controls, DEL and the
# bidi controls (``json.dumps(..., ensure_ascii=False)`` escapes only C0 controls).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_json_controls(text: str) -> str:
    """JSON text with the characters a terminal would obey written as ``\\uXXXX`` escapes.

    The JSON stays exact: outside strings JSON holds only ASCII, so every such character
    is inside a string, where its escape reads back as the same character.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
