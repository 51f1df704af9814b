"""What became of one input of an ingest: stored, a duplicate, or refused, and why.

One ``Outcome`` per input, whoever ingests (``crosswire ingest``, the server's
``POST /api/articles``, a runner that analyses elsewhere): programs read its
fields (``status``, ``code``, the store's ids), people read its ``line()``.
``IngestReport`` is the outcomes of one ingest tallied, with the lines of the
inputs that were not stored, as ``crosswire ingest`` prints them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from crosswire.errors import CrosswireError, InputError, UnsupportedLanguageError

Status = Literal["stored", "duplicate", "refused"]

# Why an input was not stored. A duplicate's: ALREADY_STORED before this ingest; REPEATED, the same
# as an earlier input of this ingest; STORED_MEANWHILE, by another writer between the check when
# it was read and its turn at the writer. A refusal's: ``refusal_code``.
ALREADY_STORED = "already_stored"
REPEATED = "repeated"
STORED_MEANWHILE = "stored_meanwhile"
# A stage's refusals of the input itself (``InputError``), by the stage's name (analysis/pipeline.py).
STAGE_CODES = {"limits": "too_long", "segment": "no_text"}
ANALYSIS_FAILED = "analysis_failed"  # a stage failed on a readable article: a fault, not the input's
# The process analysing it died (a Ray worker, ``ray_runner.py``), and died again on the one retry.
WORKER_LOST = "worker_lost"
# Every code an outcome can carry (the API documents them: server/openapi.py).
CODES = (ALREADY_STORED, REPEATED, STORED_MEANWHILE, InputError.code, *STAGE_CODES.values(),
         UnsupportedLanguageError.code, ANALYSIS_FAILED, WORKER_LOST, CrosswireError.code)


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    where: str                   # the input: a path, path:line, or body:line for the server
    id: str | None               # the article's own id; None when it could not be read
    article: int | None = None   # store id: the stored article, or the stored copy of a duplicate
    story: int | None = None     # the story of that article
    joined: bool = False         # stored into a story that already existed
    code: str | None = None      # why it was not stored (None when stored)
    reason: str | None = None    # the same, one line for people
    stage: str | None = None     # the analysis stage that refused it

    def line(self) -> str:
        """``where: what became of it``, the line ``crosswire ingest`` prints for an input it skips."""
        if self.status == "stored":
            return f"{self.where}: {'joined' if self.joined else 'started'} story {self.story}"
        if self.code == STORED_MEANWHILE:
            return f"{self.where}: already stored"
        if self.status == "duplicate":  # whether before this ingest or earlier in it
            return f"{self.where}: already stored (same outlet, title and text)"
        return f"{self.where}: {self.reason}"


def refusal_code(err: CrosswireError) -> str:
    """The machine-readable why of an error, from its class and the stage that raised it."""
    if isinstance(err, UnsupportedLanguageError) or err.stage is None:
        return err.code  # a reader's InputError: unreadable
    if isinstance(err, InputError):
        return STAGE_CODES.get(err.stage, err.code)
    return ANALYSIS_FAILED


def refused(err: CrosswireError, article_id: str | None = None, where: str | None = None) -> Outcome:
    """The outcome of an input refused by ``err``: unreadable (no ``article_id``), or refused in analysis."""
    stage = f" [{err.stage}]" if err.stage else ""  # as str(err) says it
    return Outcome("refused", where or err.source, article_id, code=refusal_code(err), reason=err.problem + stage,
                   stage=err.stage)


def duplicate(where: str, article_id: str, stored: int, story: int | None, code: str,
              same_as: str | None = None) -> Outcome:
    """The outcome of an article already in the store as row ``stored``."""
    reason = {ALREADY_STORED: "already stored (same outlet, title and text)",
              REPEATED: f"same outlet, title and text as {same_as}",
              STORED_MEANWHILE: "stored meanwhile by another writer"}[code]
    return Outcome("duplicate", where, article_id, stored, story, code=code, reason=reason)


@dataclass
class IngestReport:
    read: int = 0       # articles read (inputs that could not be read are refused, not read)
    added: int = 0
    duplicates: int = 0
    refused: int = 0
    new_stories: int = 0
    joined: int = 0
    skipped: list[Outcome] = field(default_factory=list)  # the duplicates and refusals, in input order
    seconds: float = 0.0

    def count(self, outcome: Outcome) -> None:
        if outcome.status == "stored":
            self.added += 1
            self.joined += outcome.joined
            self.new_stories += not outcome.joined
            return
        if outcome.status == "duplicate":
            self.duplicates += 1
        else:
            self.refused += 1
        self.skipped.append(outcome)

    def summary(self) -> str:
        rate = self.added / self.seconds if self.seconds else 0.0
        return (f"{self.read} read, {self.added} added ({rate:.1f}/s), {self.duplicates} already stored, "
                f"{self.refused} failed; {self.new_stories} new stories, {self.joined} joined existing ones")
