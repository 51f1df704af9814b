"""Matching analysed articles: sentence alignment, the same-story model (with its language means), and
comparing every pair of a set of articles into a ``Comparison``."""
