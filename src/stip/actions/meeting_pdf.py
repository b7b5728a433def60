"""The meeting agenda as a PDF (`stip.pdf.Document`)."""

from __future__ import annotations

from typing import Any

from stip.actions.labels import label
from stip.actions.meeting import Agenda, _num
from stip.pdf import Document


def agenda_pdf(agenda: Agenda, lang: str, clarity: dict[str, Any] | None = None) -> bytes:
    """The agenda; with `clarity` (`statement`, `guidelines`, in `lang`) it opens with what
    the company stands for."""
    pdf = Document()
    pdf.set_title(agenda.title(lang))
    pdf.add_page()
    pdf.heading(agenda.title(lang), 16)
    if agenda.lead:
        pdf.para(f"{label('person', lang)}: {agenda.lead}")
    pdf.ln(3)
    if clarity:
        pdf.heading(label("clarity", lang))
        pdf.para(clarity["statement"])
        for number, rule in enumerate(clarity["guidelines"], 1):
            pdf.para(f"{number}. {rule}", 9)
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
