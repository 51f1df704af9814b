"""crosswire: read the news across languages, offline."""
from __future__ import annotations

__version__ = "0.1.0"
