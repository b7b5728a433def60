"""File stamps (modification time and size): cheap to take, and they change when a file does,
so a running server reads a file again only after it changed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

Stamp = tuple[int, int]


def file_stamp(path: Path) -> Stamp | None:
    """The file's modification time (ns) and size; None when it does not exist (any more)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size)


def files_stamp(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """Name and stamp of each file that exists: changes when one is added, edited or removed."""
    stamps = []
    for path in paths:
        stamp = file_stamp(path)
        if stamp is not None:
            stamps.append((str(path), *stamp))
    return tuple(stamps)
