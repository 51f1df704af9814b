"""Watch-lists: stories about the names, words and languages a reader follows, alerts when such a
story appears or grows, and signed webhook deliveries of those alerts.

``check_watches`` is called with the stories an ingest or a poll touched (``events.py``);
``deliver_due`` posts the webhooks due (``webhooks.py``); ``watch_spec`` checks a watch whole
and ``new_watch`` stores it (``lists.py``); what an article must hold to match is in
``conditions.py``. The watches, alerts and deliveries themselves are kept by the store
(``store/following.py``).
"""
from __future__ import annotations

from crosswire.watch.conditions import Conditions, Name, StoredArticle, parse_name, stored_article
from crosswire.watch.events import EVENTS, LANGUAGES, OUTLET, STORY, alert_line, check_watches
from crosswire.watch.lists import check_webhook, conditions_text, new_watch, watch_spec
from crosswire.watch.rules import InvalidWatch, WatchError, WatchSpec, validate_watch
from crosswire.watch.webhooks import MAX_ATTEMPTS, DeliveryReport, deliver_due, retry_after, sign, verify

__all__ = ["EVENTS", "LANGUAGES", "MAX_ATTEMPTS", "OUTLET", "STORY", "Conditions", "DeliveryReport", "Name",
           "InvalidWatch", "StoredArticle", "WatchError", "WatchSpec", "alert_line", "check_watches", "check_webhook", "retry_after",
           "conditions_text", "deliver_due", "new_watch", "parse_name", "sign", "stored_article", "validate_watch", "verify",
           "watch_spec"]
