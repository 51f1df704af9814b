"""Reading articles: files and folders, text encodings, HTML pages, RSS/Atom feeds, JSON Lines, NTREX-128.

Below everything else but the article itself: a reader turns bytes into ``Article`` objects and names
what it could not read; nothing here knows of analysis, stories or the store."""
