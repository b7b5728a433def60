"""The meeting agenda as a PDF (fpdf2), with DejaVu Sans when Debian's fonts-dejavu-core is
installed (full Unicode), else the core Helvetica font (Latin-1 only: other characters are
replaced)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from stip.actions.labels import label
from stip.actions.meeting import Agenda, _num

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
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


def agenda_pdf(agenda: Agenda, lang: str) -> bytes:
    pdf = _Pdf()
    pdf.set_title(agenda.title(lang))
    pdf.add_page()
    pdf.heading(agenda.title(lang), 16)
    if agenda.lead:
        pdf.para(f"{label('person', lang)}: {agenda.lead}")
    pdf.ln(3)
    pdf.heading(label("exceptions", lang))
    for ex in agenda.exceptions:
        status = label("status_" + ex.status, lang)
        done = f" ({ex.done_at})" if ex.done_at else ""
        reason = f" - {ex.reason}" if ex.reason else ""
        pdf.para(f"[{status}{done}] {ex.person}: {ex.title.get(lang)}{reason}")
        pdf.para(f"    {ex.why.get(lang)}", 9)
    if not agenda.exceptions:
        pdf.para(label("none", lang))
    pdf.ln(3)
    pdf.heading(label("trends", lang))
    for trend in agenda.trends:
        pdf.para(
            f"{trend['label'][lang]}: {_num(trend['this'])}   "
            f"({label('last_week', lang)}: {_num(trend['previous'])})"
        )
    pdf.ln(3)
    pdf.heading(label("engineers", lang))
    headers = [
        label(k, lang)
        for k in ("engineer", "sla_met", "overdue_now", "csat", "callbacks", "stale_tickets")
    ]
    widths = [50, 25, 25, 20, 28, 42]
    pdf.set_font(pdf.family_name, "B", 8)
    for header, width in zip(headers, widths, strict=True):
        pdf.cell(width, 6, pdf.text_safe(header), border=1)
    pdf.ln()
    pdf.set_font(pdf.family_name, "", 9)
    for e in agenda.engineers:
        cells = [
            e.name,
            _num(e.sla_met_pct),
            str(e.overdue_now),
            _num(e.csat_pct),
            f"{e.callbacks_done}/{e.callbacks_total}",
            str(e.stale_tickets),
        ]
        for cell, width in zip(cells, widths, strict=True):
            pdf.cell(width, 6, pdf.text_safe(cell), border=1)
        pdf.ln()
    return bytes(pdf.output())
