"""Text from a PSA is untrusted: besides escaping (the templates do that), it loses the
characters that only do harm where it is shown.

- Control characters other than tab and line breaks: they make Excel files invalid (openpyxl
  refuses them) and have no meaning in a title or a name.
- Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): one in a
  company name turns the rest of a sentence around it ("call ... about ticket T2026...")
  right to left, so a ticket number, phone number or date reads reversed ("Trojan Source").
  Right-to-left text itself still shows right, by the Unicode bidirectional algorithm.
"""

from __future__ import annotations

import re

_HARMFUL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    return _HARMFUL.sub("", text)
