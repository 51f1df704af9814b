"""How big an input may be: the largest article, and the largest file read whole.

A news article is a few thousand characters and a few dozen sentences. Inputs
far beyond that are a wrong path or a dump, and some of the work grows faster
than their size (sentence alignment with the product of two articles' sentence
counts), so they are refused early, before any analysis, with one line that
names the input, the limit and the option that raises it. The same ``Limits``
are used by the library, every command that reads articles and the server.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crosswire.errors import InputError

# UTF-8, UTF-16 and UTF-32 all take at most 4 bytes a character: a text file longer than 4 bytes
# for each character of the article limit, and 4 for a BOM, cannot fit, whatever its encoding.
MAX_BYTES_PER_CHAR = 4


@dataclass(frozen=True)
class Limits:
    """The bounds on one input; each is also a command-line option (the field's ``flag``)."""

    max_chars: int = field(default=200_000, metadata={
        "flag": "--max-chars", "metavar": "N",
        "help": "Largest article, in characters of its text; a longer one is refused."})
    max_sentences: int = field(default=2_000, metadata={
        "flag": "--max-sentences", "metavar": "N",
        "help": "Largest article, in sentences; a longer one is refused."})
    # A file read whole (text, HTML, feed) is checked by its size before it is read.
    # JSON Lines are read line by line, so a file of many articles has no size limit:
    # each line is one article, held to the article limits.
    max_file_bytes: int = field(default=50 * 2**20, metadata={
        "flag": "--max-file-bytes", "metavar": "BYTES",
        "help": "Largest input file read whole (text, HTML, feed; JSON Lines are read line by line)."})

    def check_chars(self, source: str, text: str) -> None:
        if len(text) > self.max_chars:
            raise InputError(source, too_long(len(text), "characters", self.max_chars, "--max-chars"))

    def check_sentences(self, source: str, count: int) -> None:
        if count > self.max_sentences:
            raise InputError(source, too_long(count, "sentences", self.max_sentences, "--max-sentences"))

    def file_problem(self, size: int, plain_text: bool) -> str | None:
        """Why a file of ``size`` bytes is refused before it is read, or None."""
        if size > self.max_file_bytes:
            return (f"file is too large: {size:,} bytes, the limit is {self.max_file_bytes:,} "
                    "(raise it with --max-file-bytes)")
        if plain_text and size > MAX_BYTES_PER_CHAR * (self.max_chars + 1):
            return (f"file is too large for one article: {size:,} bytes, more than the limit of "
                    f"{self.max_chars:,} characters in any encoding (raise it with --max-chars)")
        return None


def too_long(count: int, unit: str, limit: int, flag: str) -> str:
    return f"article is too long: {count:,} {unit}, the limit is {limit:,} (raise it with {flag})"
