"""Names across scripts: words and scripts, cue words, romanisation, the place gazetteer, the mentions
of people, organisations and places in one article, and their linking across the articles of a story."""
