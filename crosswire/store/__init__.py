"""The local store: one SQLite file of articles, their analyses, vectors and stories; its migrations and
its listing index. The only package that speaks SQL."""
