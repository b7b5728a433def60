from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from stip.app import Stip

_spec = importlib.util.spec_from_file_location(
    "stip_actions_world", Path(__file__).with_name("world.py")
)
assert _spec and _spec.loader
world_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(world_module)


@pytest.fixture
def world(stip_home: Path) -> Stip:
    """A Stip home with the hand-made MSP of world.py loaded."""
    return world_module.build(Stip.load())


@pytest.fixture(name="W")
def world_data() -> object:
    """The world module: ids, rows() and local() for hand-computed expectations."""
    return world_module
