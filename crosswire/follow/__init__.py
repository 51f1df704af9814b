"""Following sources: what to follow (``discover``), and one pass over the sources due (``poll``)."""
from __future__ import annotations

from crosswire.follow.discover import discover, feeds_in_page, is_address
from crosswire.follow.opml import FeedRef, read_opml
from crosswire.follow.poll import Place, PollOptions, PollReport, poll
from crosswire.follow.urls import canonical_url

__all__ = ["FeedRef", "Place", "PollOptions", "PollReport", "canonical_url", "discover", "feeds_in_page", "is_address", "poll",
           "read_opml"]
