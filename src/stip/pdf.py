"""A4 documents (fpdf2) with DejaVu Sans when Debian's fonts-dejavu-core is installed (full
Unicode), else the core Helvetica font (Latin-1 only: other characters are replaced)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


class Document(FPDF):
    def __init__(self, orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.unicode = (DEJAVU / "DejaVuSans.ttf").exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(DEJAVU / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
            self.family_name = "DejaVu"
        else:
            self.family_name = "Helvetica"
        self.set_auto_page_break(auto=True, margin=15)

    def text_safe(self, text: str) -> str:
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def heading(self, text: str, size: int = 13) -> None:
        self.set_font(self.family_name, "B", size)
        self.multi_cell(0, 7, self.text_safe(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def para(self, text: str, size: int = 10) -> None:
        self.set_font(self.family_name, "", size)
        self.multi_cell(0, 5, self.text_safe(text), new_x="LMARGIN", new_y="NEXT")
