"""What a page gets from a definition file in force (goals, deliverables), and the error a
file with a mistake gives: file and line for those who can fix it, a plain word for others."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from stip.accounts import roles
from stip.accounts.users import User
from stip.errors import DefinitionError
from stip.filesource import FileSource
from stip.web.errors import WebError
from stip.web.state import WebState

R = TypeVar("R")


def may_fix(user: User | None) -> bool:
    """Whether the viewer can fix a definition file: admins and the owner (not a share
    link's anonymous viewer)."""
    return user is not None and (roles.can_admin(user.role) or user.role == roles.OWNER)


def kept_result(
    state: WebState, source: FileSource[Any, R], user: User | None, as_of: datetime, what: str
) -> R | None:
    """The file's result as of `as_of` (None without a file). A file with a mistake is a
    `WebError` (500) naming file and line to those who can fix it (`may_fix`)."""
    try:
        return source.result(state.kpis.engine, as_of, state.kpis.data_stamp())
    except DefinitionError as exc:
        if may_fix(user):
            fix = f"; fix it on /{what}/edit"
            raise WebError(f"the {what} file has a mistake: {exc}{fix}") from None
        raise WebError(
            f"the {what} file has a mistake; an admin or the owner must fix it"
        ) from None
