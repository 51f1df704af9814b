"""Analysis of one article: the pipeline of named stages (clean, segment, detect language, profile, embed)
and the embedders. Pure: it reads no store and writes none, so it can run in any process."""
