"""Dutch and English: gettext catalogues read from the `.po` files with Babel at runtime.

English strings are the message ids; `src/stip/locale/nl/LC_MESSAGES/messages.po` holds the
Dutch. No compiled `.mo` files are needed, so none live in git.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("en", "nl")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}
LOCALE_DIR = Path(str(resources.files("stip") / "locale"))

Gettext = Callable[[str], str]


@cache
def catalog(language: str) -> dict[str, str]:
    """msgid -> translated string for one language (empty for English)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in po
        if message.id and message.string and not message.fuzzy
    }


def gettext_for(language: str) -> Gettext:
    messages = catalog(language)

    def gettext(text: str) -> str:
        return messages.get(text, text)

    return gettext


def normalize(language: str | None) -> str | None:
    """'nl-BE' -> 'nl'; None for languages we do not speak."""
    if not language:
        return None
    base = language.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None


def from_accept_language(header: str | None) -> str:
    """The best of our languages for an Accept-Language header (q-values honoured)."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = normalize(tag)
        if language and quality > 0:
            choices.append((-quality, index, language))
    return sorted(choices)[0][2] if choices else DEFAULT_LANGUAGE


def babel_locale(language: str) -> str:
    return "nl_NL" if language == "nl" else "en_GB"
