"""Stories: group the articles that report the same story, across languages.

Streaming (``StoryAssigner``): each incoming article looks up its nearest stored
articles in the ANN index (language-centred vectors), gathers the stories they
belong to, scores itself against a few members of each with the calibrated
same-story model (alignment + centred cosine, see ``samestory.py``), and joins
the best story that clears the threshold, or starts a new one. Stories whose
last article is older than the time window (when dates are known) are not
joined any more. The work per article is a fixed number of index lookups and
pair scores, so it grows with the log of the store, not with its size.

Batch (``recluster``): scores every article against its nearest neighbours and
merges pairs into stories by average linkage over those scores.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

import numpy as np

from crosswire.article import Article
from crosswire.matching.compare import CompareOptions, compare_pair
from crosswire.matching.side import PairSide, SideCache
from crosswire.store.base import StoreProtocol
from crosswire.stories.neighbours import VectorIndex, centre
from crosswire.times import parse_time

CLUSTERER_NAME = "crosswire.stream.v1"
BATCH_CLUSTERER_NAME = "crosswire.batch-average-link.v1"


@dataclass(frozen=True)
class StoryOptions:
    neighbours: int = 24        # ANN candidates per article
    max_stories: int = 6        # candidate stories scored per article
    members: int = 3            # members of a candidate story scored against the newcomer
    # Streaming joins on the mean score over those members. Chosen with the same-story model v2
    # (tools/tune_story_thresholds.py --semeval) where both kinds of stream agree: on NTREX
    # calibration documents (translations, ten languages) B-cubed F1 is 0.957 at 0.6 and 0.964
    # at 0.8, while on the SemEval dev articles (real news, two outlets per pair) 0.8 kept only
    # 69% of the pairs rated very similar together, 0.6 kept 89% and 98% of the very dissimilar
    # ones apart. A story split in two is mended by `crosswire recluster`.
    join_threshold: float = 0.6
    merge_threshold: float = 0.6  # batch: mean score between two clusters needed to merge them (same trade)

    def apart(self, first: datetime | None, second: datetime | None) -> bool:
        """Further apart than the time window (never, when either time is unknown)."""
        if first is None or second is None:
            return False
        return abs((first - second).total_seconds()) > self.window_days * 86400
    window_days: float = 3.0    # a story goes quiet this long after its last dated article


def index_path(store: StoreProtocol) -> Path:
    return store.path.with_name(store.path.name + ".usearch")


def open_index(store: StoreProtocol, dim: int, embedder: str) -> VectorIndex:
    """The store's ANN index, brought up to date with the store (it is only a cache of it).

    The file is used only when its stamp says it holds this store's rows: the same
    store id (another store at the same path has another), and the same article at
    its highest key (a store restored from a backup may have given that id to
    another). Otherwise, or without a stamp (saved by crosswire before stamps), it
    is rebuilt from the store.
    """
    index = VectorIndex(dim, index_path(store))
    if len(index) and index.saved_stamp != index_stamp(store, index.max_key()):
        index = VectorIndex(dim)  # another store's rows, or not only this one's: rebuild in memory
        index.path = index_path(store)
    index.stamp = lambda: index_stamp(store, index.max_key())
    catch_up(index, store, embedder)
    return index


def index_stamp(store: StoreProtocol, max_key: int) -> dict[str, Any]:
    """What identifies the rows of an index whose highest key is ``max_key`` (see ``open_index``)."""
    return {"store": store.store_id(), "max_key": max_key, "max_key_hash": store.hash_of(max_key) if max_key else None}


def catch_up(index: VectorIndex, store: StoreProtocol, embedder: str) -> int:
    """Add the store's articles that the index lacks; returns how many were added.

    The articles after the index's highest key are read in one query. Rows below
    it can be missing too: another writer (a ``crosswire ingest`` beside the
    server) may have committed some while this index was adding its own, which
    then got higher ids. The row count tells, and those few are looked up.
    """
    added = 0
    for ids, vectors, languages in store.iter_vectors(after_id=index.max_key()):
        index.add(ids, centre(vectors, languages, embedder))
        added += len(ids)
    if len(index) < store.count():
        every = store.ids()
        for ids, vectors, languages in store.vectors_of(every[~index.contains(every)].tolist()):
            index.add(ids, centre(vectors, languages, embedder))
            added += len(ids)
    return added


class _ArticleCache:
    """Recently scored articles, so a busy story's members are not reloaded per newcomer."""

    def __init__(self, store: StoreProtocol, size: int = 2048) -> None:
        self.store = store
        self.size = size
        self._items: OrderedDict[int, Article] = OrderedDict()
        # Prepared sides of the members scored lately: fewer than the articles, as each holds
        # two copies of its sentence vectors (a busy story's members come up again and again).
        self._side = SideCache(min(size, 256))

    def get(self, ids: list[int]) -> list[Article]:
        missing = [i for i in ids if i not in self._items]
        for article in self.store.articles(missing):
            self._items[article.meta["store_id"]] = article
        out = []
        for i in ids:
            if i in self._items:
                self._items.move_to_end(i)
                out.append(self._items[i])
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return out

    def put(self, article_id: int, article: Article) -> None:
        self._items[article_id] = article

    def sides(self, ids: list[int]) -> list[PairSide]:
        """The articles as pair scores take them, each prepared once while it stays in the cache."""
        return [self._side(article) for article in self.get(ids)]


class StoryAssigner:
    def __init__(self, store: StoreProtocol, index: VectorIndex, embedder: str,
                 options: StoryOptions = StoryOptions(), compare: CompareOptions = CompareOptions()) -> None:
        self.store = store
        self.index = index
        self.embedder = embedder
        self.options = options
        # The last article's centred vector: searched with in ``candidates``, added to the index in
        # ``commit`` (centring it twice per article was measurable at 1M articles' worth of calls).
        self._centred: tuple[Article | None, np.ndarray | None] = (None, None)
        self.compare = compare
        self.cache = _ArticleCache(store)
        # The story of each article and the last date of each story met so far, read from the
        # store as neighbours come up: reading every article's up front cost a second per
        # ingest call at 100k articles, paid by every POST to the server.
        self.story_of: dict[int, int] = {}
        self.last_seen: dict[int, datetime] = {}
        self._dated: set[int] = set()  # stories whose last_seen was read from the store
        self._version: int | None = None  # the store's data_version when last synced with other writers

    def sync(self) -> None:
        """See every placement other writers committed (caller holds the write transaction,
        and calls this before storing the article it is about to place).

        Two ``crosswire ingest`` runs, or the server and one, place articles in the same
        store; each must place its next article knowing every article placed before it,
        whichever process placed it, or one story ends split in two. Inside the write
        transaction the store cannot change, so what is read here stays true until commit.
        ``PRAGMA data_version`` moves only when another connection committed, so a lone
        writer pays one pragma per article.
        """
        version = self.store.data_version()
        if version == self._version:
            return
        if self._version is not None:
            # Stories may have been regrouped (a recluster) or joined: forget what was read.
            self.story_of.clear()
            self.last_seen.clear()
            self._dated.clear()
        catch_up(self.index, self.store, self.embedder)
        self._version = version

    def _touch(self, story_id: int, when: datetime | None) -> None:
        if when is not None and (story_id not in self.last_seen or when > self.last_seen[story_id]):
            self.last_seen[story_id] = when

    def _learn(self, keys: list[int]) -> None:
        """Read the stories of these articles, and those stories' last dates, when not known yet."""
        self.story_of.update(self.store.stories_of([k for k in keys if k not in self.story_of]))
        stories = sorted({self.story_of[k] for k in keys if k in self.story_of} - self._dated)
        for story, published in self.store.published_in(stories):
            self._touch(story, parse_time(published))
        self._dated.update(stories)

    def _centre(self, article: Article) -> np.ndarray:
        """The article's centred vector as a 1-row matrix, computed once per article."""
        kept, vector = self._centred
        if kept is not article or vector is None:
            vector = centre(article.analysed_vector()[None, :], [article.language], self.embedder)
            self._centred = (article, vector)
        return vector

    def candidates(self, article: Article) -> list[tuple[int, list[int]]]:
        """Candidate stories with the members nearest the article, best first."""
        vector = self._centre(article)[0]
        keys, _ = self.index.search(vector, self.options.neighbours)
        self._learn(keys.tolist())
        when = parse_time(article.published)
        stories: OrderedDict[int, list[int]] = OrderedDict()
        for key in keys.tolist():
            story = self.story_of.get(key)
            if story is None or self.options.apart(when, self.last_seen.get(story)):
                continue
            members = stories.setdefault(story, [])
            if len(members) < self.options.members:
                members.append(key)
        return list(stories.items())[: self.options.max_stories]

    def choose(self, article: Article) -> tuple[int | None, float]:
        """The story to join (or None for a new one) and its score."""
        best_story, best_score = None, 0.0
        side = PairSide.of(article)  # prepared once for its up to 18 pair scores
        for story, member_ids in self.candidates(article):
            scores = [compare_pair(side, m, self.compare).same_story for m in self.cache.sides(member_ids)]
            score = float(np.mean(scores)) if scores else 0.0
            if score > best_score:
                best_story, best_score = story, score
        if best_score >= self.options.join_threshold:
            return best_story, best_score
        return None, best_score

    def assign(self, article: Article, article_id: int) -> tuple[int, bool]:
        """Place a stored article (caller holds the transaction): (story id, joined an existing one).

        The in-memory state and the index are updated by ``commit`` once the
        transaction has committed, so a rolled-back article leaves no trace.
        """
        story, _ = self.choose(article)
        joined = story is not None
        if story is None:
            story = self.store.new_story(CLUSTERER_NAME)
        self.store.set_story(article_id, story)
        return story, joined

    def commit(self, article: Article, article_id: int, story: int) -> None:
        """Record a committed assignment in the in-memory state and the index."""
        self.story_of[article_id] = story
        if story in self._dated:  # else read from the store, this article included, when it comes up
            self._touch(story, parse_time(article.published))
        self.cache.put(article_id, article)
        key = np.array([article_id])
        if not self.index.contains(key)[0]:  # a catch-up may have brought it in already
            self.index.add(key, self._centre(article))


class PairScorer(Protocol):
    """Scores same-story pairs, in the order given: here (``LocalScorer``), or as a parallel map on
    a cluster's workers (``crosswire/ingest/ray_scores.py``). Pair scores are nearly all of
    ``recluster``'s time and need no store, so they are what can go elsewhere."""

    def scores(self, pairs: Iterable[tuple[Article, Article]], compare: CompareOptions) -> Iterator[float]: ...


class LocalScorer:
    """Each pair scored in this process, as it comes."""

    def scores(self, pairs: Iterable[tuple[Article, Article]], compare: CompareOptions) -> Iterator[float]:
        side = SideCache()  # an article is in a pair with each of its ~24 neighbours: prepared once
        return (compare_pair(side(a), side(b), compare).same_story for a, b in pairs)


def recluster(store: StoreProtocol, embedder: str, options: StoryOptions = StoryOptions(),
              compare: CompareOptions = CompareOptions(),
              progress: Callable[[int, int], None] | None = None, scorer: PairScorer | None = None) -> int:
    """Re-group the whole store: kNN candidate pairs, same-story scores, average linkage.

    Returns the number of stories. Runs in one transaction: on failure the
    previous grouping stays. ``scorer`` scores the candidate pairs (default: here).
    """
    index = open_index(store, _dim(store), embedder)
    ids = store.ids().tolist()
    catch_up(index, store, embedder)  # what a writer beside us committed since the index was opened
    clustered = set(ids)  # later arrivals in the index are placed at the end, as a stream would
    scores = neighbour_scores(store, index, ids, embedder, options, compare, progress, scorer)
    labels = average_linkage(ids, scores, options.merge_threshold)
    with store.transaction():
        store.clear_stories()
        story_ids: dict[int, int] = {}
        for article_id, label in zip(ids, labels):
            if label not in story_ids:
                story_ids[label] = store.new_story(BATCH_CLUSTERER_NAME)
            store.set_story(article_id, story_ids[label])
        # Articles another writer (the server, an ingest) stored while the scores were computed
        # are placed as a live ingest would place them, in arrival order: none is left without
        # a story, and the new grouping holds every article there is at commit.
        late = [row for row in store.ids().tolist() if row not in clustered]
        assigner = StoryAssigner(store, index, embedder, options, compare)
        for article_id, article in zip(late, store.articles(late)):
            story, _ = assigner.assign(article, article_id)
            assigner.commit(article, article_id, story)
    index.save()
    return store.story_count()


def neighbour_scores(store: StoreProtocol, index: VectorIndex, ids: list[int], embedder: str,
                     options: StoryOptions = StoryOptions(), compare: CompareOptions = CompareOptions(),
                     progress: Callable[[int, int], None] | None = None,
                     scorer: PairScorer | None = None) -> dict[tuple[int, int], float]:
    """The same-story score of each article of ``ids`` with its nearest neighbours among ``ids``."""
    keys: list[tuple[int, int]] = []

    def pairs() -> Iterator[tuple[Article, Article]]:
        for key, article, other in candidate_pairs(store, index, ids, embedder, options, progress):
            keys.append(key)
            yield article, other

    # The scorer takes the pairs lazily and may run ahead of them (a parallel map): each score is
    # matched to its key by position, which both sides keep.
    values = list((scorer or LocalScorer()).scores(pairs(), compare))
    return dict(zip(keys, values))


def candidate_pairs(store: StoreProtocol, index: VectorIndex, ids: list[int], embedder: str,
                    options: StoryOptions = StoryOptions(), progress: Callable[[int, int], None] | None = None,
                    ) -> Iterator[tuple[tuple[int, int], Article, Article]]:
    """Each article of ``ids`` with each of its nearest neighbours among ``ids`` (once a pair, and
    not pairs too far apart in time): ``((low id, high id), article, neighbour)``."""
    clustered = set(ids)
    cache = _ArticleCache(store, size=4096)
    seen: set[tuple[int, int]] = set()
    for n, article_id in enumerate(ids):
        article = cache.get([article_id])[0]
        vector = centre(article.analysed_vector()[None, :], [article.language], embedder)[0]
        found, _ = index.search(vector, options.neighbours + 1)
        for other_id in found.tolist():
            pair = (min(article_id, other_id), max(article_id, other_id))
            if other_id == article_id or pair in seen or other_id not in clustered:
                continue
            seen.add(pair)
            other = cache.get([other_id])[0]
            if options.apart(parse_time(article.published), parse_time(other.published)):
                continue
            yield pair, article, other
        if progress:
            progress(n + 1, len(ids))


def _dim(store: StoreProtocol) -> int:
    return store.dim() or 384


def average_linkage(ids: list[int], scores: dict[tuple[int, int], float], threshold: float) -> list[int]:
    """Merge clusters while the mean score between them (unscored pairs count 0) clears the threshold.

    Unscored pairs count as zero because the kNN search judged them far apart;
    that is what stops one loose pair from chaining two stories together.
    """
    cluster_of = {i: i for i in ids}
    members: dict[int, list[int]] = {i: [i] for i in ids}
    for (a, b), score in sorted(scores.items(), key=lambda kv: -kv[1]):
        if score < threshold:
            break
        ca, cb = cluster_of[a], cluster_of[b]
        if ca == cb:
            continue
        total = 0.0
        for x in members[ca]:
            for y in members[cb]:
                total += scores.get((min(x, y), max(x, y)), 0.0)
        if total / (len(members[ca]) * len(members[cb])) < threshold:
            continue
        if len(members[ca]) < len(members[cb]):
            ca, cb = cb, ca
        for x in members[cb]:
            cluster_of[x] = ca
        members[ca].extend(members.pop(cb))
    return [cluster_of[i] for i in ids]


def restream(store: StoreProtocol, embedder: str, options: StoryOptions = StoryOptions(),
             compare: CompareOptions = CompareOptions()) -> int:
    """Replay streaming assignment over the stored articles in arrival (id) order.

    Gives the grouping ingest would have made with the current model and
    options, without analysing anything again. Returns the number of stories.
    """
    ids = store.ids().tolist()
    with store.transaction():
        store.clear_stories()
    index = VectorIndex(_dim(store))
    assigner = StoryAssigner(store, index, embedder, options, compare)
    for start in range(0, len(ids), 256):
        chunk = ids[start : start + 256]
        articles = store.articles(chunk)
        with store.transaction():
            for article_id, article in zip(chunk, articles):
                # Memory and index follow each assignment at once: the next article
                # must see this one, as in a live ingest. A failure aborts the replay.
                assigner.commit(article, article_id, assigner.assign(article, article_id)[0])
    return len(set(assigner.story_of.values()))
