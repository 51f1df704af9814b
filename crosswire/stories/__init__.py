"""Stories: the nearest-neighbour index, streaming placement of each new article, batch re-grouping,
and reading the stories of a store back (the listing and one story as a comparison)."""
