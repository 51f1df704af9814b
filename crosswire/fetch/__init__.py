"""Fetching over HTTP(S) for following sources and delivering webhooks (``client.Fetcher``)."""
from __future__ import annotations

from crosswire.fetch.backoff import backoff
from crosswire.fetch.client import Fetched, Fetcher, FetchError, FetchOptions

__all__ = ["FetchError", "FetchOptions", "Fetched", "Fetcher", "backoff"]
