"""The events of a watch, checked on the stories an ingest or a poll just touched, each recorded once.

Three events, so that a watch says when something new happened and stays quiet otherwise:

- ``story``: a story matches the watch for the first time (watches without ``min_languages``);
- ``languages``: a matching story spans ``min_languages`` languages or more (watches with it;
  no ``story`` event then: a story in one language is what such a watch is set to ignore);
- ``outlet``: after one of those, the story gained an outlet that no earlier alert of it listed.
  The outlets a story had at its first alert are in that alert, not alerts of their own, so the
  first poll that brings the Rutte story in Arabic and Norwegian raises one alert, not three.

A story that matched a watch once keeps matching it: stored articles never change and a story
keeps its articles as it grows, so its later checks read its rows (outlets, languages), not its
articles' text again.

An event is recorded by ``store.add_alert`` under a key unique per watch, so checking the same
stories again records nothing (nor does a second process checking them at the same time). A
story is named in keys by its first article (the lowest store id), not by its story id: story
ids are renumbered from 1 by ``crosswire recluster``, so a key on the story id would give a
regrouped story the alerts of another, and its first article stays its first as it grows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from crosswire.language_codes import language_key
from crosswire.store.base import Alert, Member, StoreProtocol, Watch
from crosswire.stories.view import source_label
from crosswire.watch.conditions import Conditions, StoredArticle, stored_article

STORY, LANGUAGES, OUTLET = "story", "languages", "outlet"
EVENTS = (STORY, LANGUAGES, OUTLET)


@dataclass
class StoryState:
    """One touched story as the checks read it: its members' rows, read once for every watch."""

    id: int
    members: list[Member]                 # in store id order
    _articles: list[StoredArticle] | None = None
    _title: str | None = None

    @property
    def anchor(self) -> int:
        """The story's first article: what alert keys name the story by."""
        return self.members[0].id

    @property
    def languages(self) -> list[str]:
        """The stored codes of its articles' languages, sorted."""
        return sorted({m.language for m in self.members if m.language})

    @property
    def language_count(self) -> int:
        """Languages, counting the codes of one language once (nb, no and nob are one)."""
        return len({language_key(m.language) for m in self.members if m.language})

    @property
    def outlets(self) -> dict[str, str]:
        """Who published its articles (as ``crosswire stories`` names them), by casefolded name."""
        found: dict[str, str] = {}
        for m in self.members:
            label = source_label(m.outlet, m.url, m.source, m.ext_id)
            found.setdefault(label.casefold(), label)
        return found

    def articles(self, store: StoreProtocol) -> list[StoredArticle]:
        """Its articles with their analyses, read from the store the first time a watch needs them."""
        if self._articles is None:
            analyses = store.analyses([m.id for m in self.members])
            self._articles = [stored_article(m, analyses.get(m.id, {})) for m in self.members]
        return self._articles

    def rows(self) -> list[StoredArticle]:
        """Its articles as their rows alone give them (language, title): for watches of languages only."""
        return [StoredArticle(m.id, m.language, m.title, [], None) for m in self.members]

    def title(self, store: StoreProtocol) -> str:
        """Its first article's title, else that article's first sentence."""
        if self._title is None:
            first = self.members[0]
            if first.title:
                self._title = first.title
            else:
                if self._articles is not None:
                    sentences = self._articles[0].sentences
                else:  # a story that matched before: its first article's analysis alone
                    sentences = stored_article(first, store.analyses([first.id]).get(first.id, {})).sentences
                self._title = sentences[0] if sentences else ""
        return self._title


def check_watches(store: StoreProtocol, story_ids: Iterable[int], *, watches: Sequence[Watch] | None = None
                  ) -> list[Alert]:
    """Check every watch (or those given) against these stories; record and return the new alerts.

    Each story's members are read once (one query for all of them), and its analyses once, the
    first time a watch with names or words needs them; each watch's earlier alerts about these
    stories are one query per watch.
    """
    watches = store.watches() if watches is None else list(watches)
    wanted = sorted(set(story_ids))
    if not watches or not wanted:
        return []
    grouped: dict[int, list[Member]] = defaultdict(list)
    for member in store.members_of(wanted):
        grouped[member.story_id].append(member)
    stories = [StoryState(sid, sorted(grouped[sid], key=lambda m: m.id)) for sid in wanted if grouped.get(sid)]
    recorded: list[Alert] = []
    for watch in watches:
        conditions = Conditions.of(watch)
        earlier: dict[int, list[Alert]] = defaultdict(list)
        for said in store.alerts_keyed(watch.id, [f"{s.anchor}:" for s in stories]):
            earlier[int(said.key.split(":", 1)[0])].append(said)
        for story in stories:
            before = earlier[story.anchor]
            first = next((a for a in before if a.event in (STORY, LANGUAGES)), None)
            if first is not None:  # it matched: articles are never changed, and a story keeps them as it grows
                matched = list(first.detail.get("matched", []))
            else:
                found = conditions.match_story(story.articles(store) if conditions.reads_text else story.rows())
                if found is None:
                    continue
                matched = found
            for event, key, extra in _due(watch, story, first, before):
                detail = _detail(watch, story, store, matched, event, extra)
                added = store.add_alert(watch, story.id, event, f"{story.anchor}:{key}", detail)
                if added is not None:
                    recorded.append(added)
    return recorded


def _due(watch: Watch, story: StoryState, first: Alert | None, earlier: list[Alert]) -> list[tuple[str, str, str | None]]:
    """The events of a matching story not recorded yet: (event, key after the story's, the new outlet)."""
    if first is None:
        if watch.min_languages is None:
            return [(STORY, STORY, None)]
        if story.language_count >= watch.min_languages:
            return [(LANGUAGES, f"{LANGUAGES}:{watch.min_languages}", None)]
        return []
    known = {name.casefold() for a in earlier for name in a.detail.get("outlets", [])}
    known |= {a.key.split(":", 2)[2] for a in earlier if a.event == OUTLET}
    return [(OUTLET, f"{OUTLET}:{folded}", label) for folded, label in sorted(story.outlets.items())
            if folded not in known]


def _detail(watch: Watch, story: StoryState, store: StoreProtocol, matched: list[str], event: str,
            outlet: str | None) -> dict[str, Any]:
    languages = story.languages
    outlets = sorted(story.outlets.values(), key=str.casefold)
    about = ", ".join(matched) or watch.name
    count = f"{len(outlets)} outlet{'s' if len(outlets) != 1 else ''}"
    where = f" in {', '.join(languages)}" if languages else ""
    if event == STORY:
        reason = f"{about}: a new story{where} ({count})"
    elif event == LANGUAGES:
        reason = f"{about}: a story now in {story.language_count} languages: {', '.join(languages)} ({count})"
    else:
        reason = f"{about}: {outlet} reports the story too ({count}{where})"
    detail: dict[str, Any] = {"story": story.id, "title": story.title(store), "languages": languages,
                              "outlets": outlets, "articles": len(story.members), "matched": matched}
    if outlet is not None:
        detail["outlet"] = outlet
    detail["reason"] = reason
    return detail


def alert_line(alert: Alert) -> str:
    """One line for people: "watch rutte, story 3: Mark Rutte: a new story in ar, nb (2 outlets)"."""
    return f"watch {alert.watch}, story {alert.story_id}: {alert.detail.get('reason') or alert.event}"
