"""A definition file in force for a running server (the goals, the deliverables): read again
when it (or the KPI catalogue) changes, so an edit shows on the next request without a
restart; and what is computed from it, kept per data version, file and as-of for every page
that shows it."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from stip.errors import DefinitionError, UserError
from stip.semantic.catalog import KpiCatalog
from stip.semantic.engine import KpiEngine
from stip.stamps import file_stamp

F = TypeVar("F")
R = TypeVar("R")
#: A definitions file edited in the browser is at most this long: a goals or deliverables
#: file of hundreds of entries is a few tens of KiB.
MAX_BYTES = 256 * 1024
#: Saved versions kept per file in `$STIP_HOME/history/`, newest last.
KEEP_VERSIONS = 20
#: A file the editor creates: readable by all, as a file written by hand would be.
NEW_FILE_MODE = 0o644


class EditConflict(UserError):
    """The file changed on disk after the editor read it."""


class FileSource(Generic[F, R]):
    def __init__(
        self,
        path: Path,
        catalog: Callable[[], KpiCatalog],
        load: Callable[[Path, KpiCatalog], F],
        compute: Callable[[KpiEngine, F, datetime], R],
    ) -> None:
        self.path = path
        self._catalog = catalog
        self._load = load
        self.compute = compute
        self._lock = threading.Lock()
        # (file stamp, catalogue it was checked against, definitions); holding the catalogue
        # keeps its identity from being reused by a newer one
        self._loaded: tuple[Any, KpiCatalog, F | None] | None = None
        # ((data stamp, as-of), definitions it was computed for, result)
        self._result: tuple[Any, F, R] | None = None

    def current(self) -> F | None:
        """The definitions, or None when there is no file; a file with a mistake raises
        `DefinitionError` (file:line) on every request until it is fixed."""
        catalog = self._catalog()
        stamp = file_stamp(self.path)
        with self._lock:
            loaded = self._loaded
            if loaded is not None and loaded[0] == stamp and loaded[1] is catalog:
                return loaded[2]
        definitions = None if stamp is None else self._load(self.path, catalog)
        with self._lock:
            self._loaded = (stamp, catalog, definitions)
        return definitions

    def result(self, engine: KpiEngine, as_of: datetime, data_stamp: Any) -> R | None:
        """What the file computes to as of `as_of`, or None without a file. The pages, the
        API and the warm-up ask for the same live as-of, so the last result is kept until the
        data (`data_stamp`), the file or the as-of changes: a page view then costs no
        computation (for the goals: no path arithmetic for hundreds of people)."""
        definitions = self.current()
        if definitions is None:
            return None
        key = (data_stamp, as_of)
        with self._lock:
            kept = self._result
            if kept is not None and kept[0] == key and kept[1] is definitions:
                return kept[2]
        result = self.compute(engine, definitions, as_of)
        with self._lock:
            self._result = (key, definitions, result)
        return result

    def editable(self) -> EditableFile:
        """The file as the browser's editor changes it, checked as this source loads it."""
        return EditableFile(self.path, lambda path: self._load(path, self._catalog()))


#: One save at a time in this process: the check for someone else's change and the rename
#: must not interleave with another save.
_SAVING = threading.Lock()


class EditableFile:
    """A definitions file edited in the browser: `load` reads a candidate file (at a path with
    the same name, in a folder of its own) and raises `DefinitionError` with file:line on a
    mistake. The candidates and the `history/` of saved versions go in `beside` (default: the
    file's folder), which must not be a folder Stip reads definitions from recursively."""

    def __init__(self, path: Path, load: Callable[[Path], Any], beside: Path | None = None) -> None:
        self.path = path
        self._load = load
        self.beside = beside or path.parent

    def digest(self) -> str:
        """A fingerprint of the file's bytes ("" without a file): what an editor read."""
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return ""

    def text(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def check(self, text: str) -> Any:
        """What `text` would load to, checked exactly as the file is; a mistake raises
        `DefinitionError` naming this file (and its folder's) paths and lines."""
        data = normalised(text)
        self.beside.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".stip-check-", dir=self.beside) as folder:
            candidate = Path(folder) / self.path.name
            candidate.write_text(data, encoding="utf-8")
            try:
                return self._load(candidate)
            except DefinitionError as exc:
                raise DefinitionError(str(exc).replace(folder, str(self.path.parent))) from None

    def save(self, text: str, seen: str) -> tuple[Any, Path | None]:
        """Check `text` and make it the file, unless the file changed after it was read (its
        `digest()` then was `seen`): `EditConflict`, and nothing is written. The previous
        version is kept in `history/` (in `beside`; the last `KEEP_VERSIONS`); returns what
        the text loads to and where the previous version went (None for a new file). The new
        file appears at once, whole (written beside it, then renamed over it)."""
        loaded = self.check(text)
        data = normalised(text).encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _SAVING:
            current = self.digest()
            if current != seen:
                raise EditConflict(
                    f"{self.path} was changed by someone else after you opened it; nothing was "
                    "saved. Copy your text, reload the page and apply your change again"
                )
            kept = self._keep_previous() if current else None
            # the file keeps its permissions (a temporary file is readable by its owner only)
            mode = stat.S_IMODE(self.path.stat().st_mode) if current else NEW_FILE_MODE
            handle, temporary = tempfile.mkstemp(prefix=".stip-save-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fchmod(out.fileno(), mode)
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return loaded, kept

    def _keep_previous(self) -> Path:
        history = self.beside / "history"
        history.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        kept = history / f"{self.path.stem}.{stamp}{self.path.suffix}"
        kept.write_bytes(self.path.read_bytes())
        versions = sorted(history.glob(f"{self.path.stem}.*{self.path.suffix}"))
        for old in versions[:-KEEP_VERSIONS]:
            old.unlink(missing_ok=True)
        return kept


def normalised(text: str) -> str:
    """A browser's text as a file: line ends as `\n`, ending in one; at most `MAX_BYTES`."""
    data = text.replace("\r\n", "\n").replace("\r", "\n")
    if not data.endswith("\n"):
        data += "\n"
    size = len(data.encode("utf-8"))
    if size > MAX_BYTES:
        raise DefinitionError(
            f"the text is {size // 1024} KiB; a definitions file is at most {MAX_BYTES // 1024} KiB"
        )
    return data
