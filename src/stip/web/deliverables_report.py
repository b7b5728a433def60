"""One agreement's deliverables as a PDF for the client: the ended months, each deliverable
met or missed, and (for the roles that may see money) the credits and bonuses."""

from __future__ import annotations

from datetime import date
from typing import Any

from stip.pdf import Document
from stip.web import formatting
from stip.web.i18n import gettext_for

#: The most ended months one report shows (the latest ones).
MONTHS = 12
NAME_WIDTH = 62.0
MARKS = {"met": ("✓", "ok"), "missed": ("✗", "X")}


def agreement_pdf(agreement: dict[str, Any], as_of_text: str, lang: str) -> bytes:
    """`agreement` is one agreement of the deliverables JSON as the viewer may see it."""
    _ = gettext_for(lang)
    ended = [i for i, m in enumerate(agreement["months"]) if m["final"]][-MONTHS:]
    pdf = Document("L" if len(ended) > 6 else "P")
    title = agreement["title"][lang]
    pdf.set_title(title)
    pdf.add_page()
    pdf.heading(title, 16)
    who = agreement["subject_name"] or f"#{agreement['subject_id']}"
    contract = agreement["contract"]
    pdf.para(who + (f" · {_('contract')} {contract}" if contract else ""))
    if ended:
        first = _month(agreement["months"][ended[0]]["month"], lang)
        last = _month(agreement["months"][ended[-1]]["month"], lang)
        pdf.para(_("Months %(first)s to %(last)s, as of %(as_of)s") % {
            "first": first, "last": last, "as_of": as_of_text
        })  # fmt: skip
    pdf.ln(3)
    if not ended:
        pdf.para(_("No month of this agreement has ended yet."))
        return bytes(pdf.output())
    width = (pdf.epw - NAME_WIDTH) / len(ended)
    pdf.set_font(pdf.family_name, "B", 8)
    pdf.cell(NAME_WIDTH, 6, pdf.text_safe(_("Deliverable")), border=1)
    for i in ended:
        pdf.cell(width, 6, _month(agreement["months"][i]["month"], lang), border=1, align="R")
    pdf.ln()
    for line in agreement["deliverables"]:
        _deliverable_row(pdf, line, ended, width, lang)
    pdf.set_font(pdf.family_name, "B", 8)
    pdf.cell(NAME_WIDTH, 6, pdf.text_safe(_("Deliverables met")), border=1)
    for i in ended:
        month = agreement["months"][i]
        judged = month["met"] + month["missed"]
        text = f"{month['met']}/{judged}" if judged else "—"
        pdf.cell(width, 6, text, border=1, align="R")
    pdf.ln()
    if agreement["fee"] is not None:
        pdf.set_font(pdf.family_name, "", 8)
        pdf.cell(NAME_WIDTH, 6, pdf.text_safe(_("Credit and bonus")), border=1)
        for i in ended:
            amount = agreement["months"][i]["amount"]
            text = "" if amount is None else formatting.with_unit(amount, "€", lang, compact=True)
            pdf.cell(width, 6, pdf.text_safe(text), border=1, align="R")
        pdf.ln()
    pdf.ln(3)
    pdf.para(
        _("%(met)s of %(judged)s months with every deliverable met")
        % {"met": agreement["months_met"], "judged": agreement["months_judged"]}
    )
    if agreement["amount"] is not None:
        total = formatting.with_unit(agreement["amount"], "€", lang)
        pdf.para(_("Credit and bonus over these months: %s") % total)
    pdf.ln(2)
    pdf.para(
        _(
            "Computed by Stip from the PSA's records. —: no data, a rate without records in "
            "the month (for example no tickets); such a month is not judged."
        ),
        8,
    )
    return bytes(pdf.output())


def _deliverable_row(
    pdf: Document, line: dict[str, Any], ended: list[int], width: float, lang: str
) -> None:
    _ = gettext_for(lang)
    name = line["title"][lang]
    if line["target"] is not None:
        better = _("at least") if line["direction"] == "higher_better" else _("at most")
        name += f" ({better} {formatting.with_unit(line['target'], line['unit'], lang)})"
    pdf.set_font(pdf.family_name, "", 8)
    top = pdf.get_y()
    pdf.multi_cell(NAME_WIDTH, 4, pdf.text_safe(name), border=0, align="L")
    height = max(pdf.get_y() - top, 6)
    pdf.rect(pdf.l_margin, top, NAME_WIDTH, height)
    pdf.set_xy(pdf.l_margin + NAME_WIDTH, top)
    for i in ended:
        month = line["months"][i]
        mark = MARKS.get(month["status"], ("", ""))[0 if pdf.unicode else 1]
        if month["status"] == "outside":
            text = ""
        elif month["value"] is None:
            text = "—"
        else:
            figure = formatting.against(month["value"], line["target"], line["unit"], lang)
            text = f"{figure} {mark}"
        pdf.cell(width, height, pdf.text_safe(text), border=1, align="R")
    pdf.ln()


def _month(text: str, lang: str) -> str:
    return formatting.month(date.fromisoformat(f"{text}-01"), lang)
