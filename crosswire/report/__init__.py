"""The story report: how each article of a story tells it (shared facts, one-source facts, quotes,
entities, a summary in the reader's language)."""
