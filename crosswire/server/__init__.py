"""``crosswire serve``: the HTTP API and the web page over the local store.

``create_app`` is imported on first use, so that reading ``ServeOptions`` (as the
CLI does for its defaults) does not load the web framework.
"""
from __future__ import annotations

from typing import Any

from crosswire.server.state import ServeOptions

__all__ = ["ServeOptions", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from crosswire.server.app import create_app
        return create_app
    raise AttributeError(name)
