"""The local store: one SQLite file of articles, their analyses, vectors and stories; its migrations and
its listing index. The only package that speaks SQL (``tests/test_sql_in_store.py`` holds the rest to it).

``StoreProtocol`` (``base.py``) is what the rest of crosswire calls; ``Store`` is its SQLite implementation."""
from crosswire.store.base import StoreProtocol, StoryFilter
from crosswire.store.sqlite import Store, StoreError

__all__ = ["Store", "StoreError", "StoreProtocol", "StoryFilter"]
