"""The analysis stages, each a named step over one Article (see ``pipeline.py``)."""
