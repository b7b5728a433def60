"""Built dashboard views, reused while the data and the live as-of stay the same.

A TV wall of 50 screens asks for the same grid ten times a second; building it (tiles from the
KPI engine, formatting, sparklines) costs a few hundred milliseconds of CPU, rendering the
template a few tens. The key holds everything a view depends on (dashboard, viewer, URL
parameters, language, the store's change stamp and the live as-of), so a hit is always the view
a fresh build would give. Concurrent misses for one key wait for a single build.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

CACHE_SIZE = 256


class ViewCache(Generic[T]):
    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            try:
                value = make()
                with self._lock:
                    self._items[key] = value
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return value
