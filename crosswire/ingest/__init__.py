"""Ingest: read articles, analyse them, store each and place it in a story, as it arrives.

Two steps, so that analysis (97% of the time, in the embedding model) can run
elsewhere and hand its results to the one writer:

- ``analyse`` (``worker.py``): pure, any process; articles in, analysed articles
  or refusals out, all picklable. ``Analyser`` is it with the pipeline named by
  settings, to send to another process.
- ``Placer.place`` (``writer.py``): the single writer; the content-hash check,
  the store and the story, in one transaction per article.

``ingest_articles`` (``local.py``) composes them in this process; ``ingest_on_ray``
(``ray_runner.py``, the optional ``ray`` extra, imported only when used) sends the
analysis to Ray workers and places on the driver, the same way. Each input ends
in one ``Outcome`` (``outcome.py``): stored, duplicate or refused, with a code.
"""
from __future__ import annotations

from crosswire.ingest.local import ingest_articles, ingest_paths
from crosswire.ingest.outcome import IngestReport, Outcome
from crosswire.ingest.worker import Analyser, analyse
from crosswire.ingest.writer import Placer

__all__ = ["Analyser", "IngestReport", "Outcome", "Placer", "analyse", "ingest_articles", "ingest_paths"]
