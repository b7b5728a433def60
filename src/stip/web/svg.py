"""Server-side inline SVG charts: tile sparklines and the drill-down history chart.

No chart library and no inline styles (the CSP forbids them): shapes carry CSS classes.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape


def _scale(values: Sequence[float | None], height: float, pad: float) -> list[float | None]:
    known = [v for v in values if v is not None]
    if not known:
        return [None for _ in values]
    low, high = min(known), max(known)
    span = high - low or 1.0
    return [
        None if v is None else pad + (height - 2 * pad) * (1 - (v - low) / span) for v in values
    ]


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def sparkline(values: Sequence[float | None], status: str = "none") -> Markup:
    """A 100x24 polyline of the values (gaps where None), last point marked."""
    width, height = 100.0, 24.0
    if len([v for v in values if v is not None]) < 2:
        return Markup("")
    step = width / max(len(values) - 1, 1)
    ys = _scale(values, height, 2.0)
    segments: list[list[str]] = [[]]
    last: tuple[float, float] | None = None
    for i, y in enumerate(ys):
        if y is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(f"{_fmt(i * step)},{_fmt(y)}")
        last = (i * step, y)
    lines = "".join(f'<polyline points="{" ".join(seg)}"/>' for seg in segments if len(seg) > 1)
    dot = f'<circle cx="{_fmt(last[0])}" cy="{_fmt(last[1])}" r="2"/>' if last else ""
    # every interpolated value is a formatted number or escaped
    return Markup(  # noqa: S704
        f'<svg class="spark spark-{escape(status)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'preserveAspectRatio="none" aria-hidden="true" focusable="false">{lines}{dot}</svg>'
    )


def history_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    target: float | None,
    value_text: Sequence[str],
    title: str,
) -> Markup:
    """A bar chart of one value per period, with the target as a dashed line."""
    width, height, left, bottom, top = 640.0, 220.0, 8.0, 28.0, 16.0
    known = [v for v in values if v is not None] + ([target] if target is not None else [])
    if not known:
        return Markup("")
    high = max(max(known), 0.0) or 1.0
    low = min(min(known), 0.0)
    span = high - low or 1.0
    plot_h = height - bottom - top
    n = max(len(values), 1)
    slot = (width - left) / n

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (v - low) / span)

    # Under role="img" the bars' texts are hidden from screen readers: the label carries the
    # whole series ("Overdue tickets: 16 Nov 26 14; 23 Nov 26 20; ...").
    series = "; ".join(f"{label} {text}" for label, text in zip(labels, value_text, strict=True))
    summary = f"{title}: {series}" if series else title
    parts = [
        f'<svg class="history" viewBox="0 0 {_fmt(width)} {_fmt(height)}" role="img" '
        f'aria-label="{escape(summary)}">'
    ]
    zero = y_of(0.0)
    for i, (label, value, text) in enumerate(zip(labels, values, value_text, strict=True)):
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        if value is not None:
            y = min(y_of(value), zero)
            h = max(abs(zero - y_of(value)), 1.0)
            parts.append(
                f'<rect class="bar" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" '
                f'height="{_fmt(h)}"><title>{escape(label)}: {escape(text)}</title></rect>'
            )
            parts.append(
                f'<text class="bar-value" x="{_fmt(x + w / 2)}" y="{_fmt(y - 3)}">'
                f"{escape(text)}</text>"
            )
        parts.append(
            f'<text class="bar-label" x="{_fmt(x + w / 2)}" y="{_fmt(height - 8)}">'
            f"{escape(label)}</text>"
        )
    if target is not None:
        ty = y_of(target)
        parts.append(
            f'<line class="target" x1="{_fmt(left)}" x2="{_fmt(width)}" '
            f'y1="{_fmt(ty)}" y2="{_fmt(ty)}"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped text only
