"""The demo MSP: a realistic Dutch MSP in Autotask shape, loaded through the real mapping.

`generate(scale, seed, end)` builds it (deterministic for its arguments) and names the planted
stories in `.stories`; `build_demo(store, scale, seed, end)` loads it into a store;
`stored_stories(store)` reads the stories of the demo a store holds.
"""

from __future__ import annotations

import json

from stip.demo.generate import DemoData, DemoError, generate
from stip.demo.load import META_KEY, DemoSummary, build_demo
from stip.demo.model import SCALES, Stories
from stip.store.store import Store


def stored_stories(store: Store) -> Stories | None:
    """The planted stories of the demo in this store, or None if the demo did not build it."""
    marker = store.meta(META_KEY)
    if marker is None:
        return None
    return Stories(**json.loads(marker)["stories"])


__all__ = [
    "SCALES",
    "DemoData",
    "DemoError",
    "DemoSummary",
    "Stories",
    "build_demo",
    "generate",
    "stored_stories",
]
