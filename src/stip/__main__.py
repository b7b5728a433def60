from __future__ import annotations

from stip.cli import main

main()
