"""Politeness per host: so many requests at once, and a pause between the starts of two.

A poll runs many threads; several of a host's feeds (or a feed and its robots.txt) could
otherwise hit one server together. The pause is reserved, not just waited for: each request
takes the next free start time under a lock, so two threads never take the same one.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class _Host:
    semaphore: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_start: float | None = None


class HostGate:
    """At most ``per_host`` requests at once to a host, their starts ``delay`` seconds apart."""

    def __init__(self, per_host: int, delay: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_host = max(1, per_host)
        self.delay = max(0.0, delay)
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def _host(self, host: str) -> _Host:
        with self._lock:
            # One entry per host ever asked: a poll's hosts are its sources', a bounded set.
            state = self._hosts.get(host)
            if state is None:
                state = self._hosts[host] = _Host(threading.Semaphore(self.per_host))
            return state

    @contextmanager
    def turn(self, host: str, delay: float | None = None) -> Iterator[None]:
        """Wait for a turn at ``host`` (``delay`` after the start of its previous request; default
        the gate's), and hold it while the request runs."""
        gap = self.delay if delay is None else max(self.delay, delay)
        state = self._host(host)
        with state.semaphore:
            with state.lock:
                now = self._clock()
                start = now if state.last_start is None else max(now, state.last_start + gap)
                state.last_start = start
            if start > now:
                self._sleep(start - now)
            yield
