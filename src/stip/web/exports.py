"""CSV and Excel downloads of KPI breakdowns and action lists.

PSA text is untrusted: a cell that starts with `=`, `+`, `-`, `@`, tab or CR would run as a
formula in a spreadsheet, so such text cells get a leading apostrophe (OWASP CSV injection),
and lose the control characters that make an Excel file invalid (`clean_text`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook

from stip.untrusted import clean_text

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = clean_text(value)
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, dict | list):
        return str(value)
    return value


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheet: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31] or "Stip")
    worksheet.append(list(columns))
    for row in rows:
        worksheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(
    fmt: str, stem: str, sheet: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Response:
    """The table as a `stem.csv` or `stem.xlsx` attachment (`fmt` is checked by the caller)."""
    if fmt == "csv":
        body = to_csv(columns, rows)
        media = "text/csv; charset=utf-8"
    else:
        body = to_xlsx(sheet, columns, rows)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{stem}.{fmt}"'},
    )
