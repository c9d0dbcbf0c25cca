"""Server-rendered SVG charts for the dashboard: readable at a glance, accessible, no script.

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` (the numbers in words),
axis labels, and the value printed at the end of every bar. Colours come from presentation
attributes, not ``style`` (the pages' Content-Security-Policy forbids inline styles); status colours
match the pages' badges. Text is escaped here since the result is inlined as Markup.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

from ..services.dashboard import Chart

INK = "#1c2430"
MUTED = "#55606e"
GRID = "#d5dae1"
BAR = "#1d3f6e"
SERIES_COLOURS = {"review": "#c88a00", "hold": "#9b1c1c"}
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"


def _ticks(maximum: float) -> list[int]:
    """Whole-number axis ticks from 0 to at least ``maximum``, at most six of them.

    >>> _ticks(2), _ticks(4), _ticks(7), _ticks(130)
    ([0, 1, 2], [0, 1, 2, 3, 4], [0, 2, 4, 6, 8], [0, 50, 100, 150])
    """
    top = max(1, int(-(-maximum // 1)))
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000):
        if top / step <= 5:
            break
    else:
        step = -(-top // 5)
    count = -(-top // step)
    return [i * step for i in range(count + 1)]


def _text(x: float, y: float, text: str, **attrs: Any) -> str:
    extra = " ".join(f'{k.replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" {extra}>{escape(text)}</text>'


def _frame(chart: Chart, width: int, height: int, body: list[str], summary: str) -> Markup:
    ident = f"chart-{chart.key}"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}" '
        f'font-size="12" fill="{INK}">'
        f'<title id="{ident}-title">{escape(chart.title)}</title>'
        f'<desc id="{ident}-desc">{escape(summary)}</desc>' + "".join(body) + "</svg>"
    )


def bars_svg(chart: Chart, label_column: int = 0, value_column: int = 2, width: int = 560) -> Markup:
    """Horizontal bars, largest first: a label on the left, the count at the bar's end."""
    rows = [(str(r[label_column]), float(r[value_column] or 0)) for r in chart.rows]
    if not rows:
        return _frame(chart, width, 60, [_text(12, 34, "No data in this period.", fill=MUTED)], "No data.")
    label_width = min(230, max(90, 7 * max(len(label) for label, _ in rows)))
    bar_height, gap, top = 20, 8, 10
    height = top + len(rows) * (bar_height + gap) + 28
    plot = width - label_width - 60
    ticks = _ticks(max(v for _, v in rows))
    maximum = ticks[-1]
    body = []
    for value in ticks:
        x = label_width + plot * value / maximum
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 24}" stroke="{GRID}"/>')
        body.append(_text(x, height - 10, f"{value:g}", text_anchor="middle", fill=MUTED, font_size=11))
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_height + gap)
        shown = label if len(label) <= 34 else label[:33] + "…"
        body.append(_text(label_width - 8, y + bar_height * 0.7, shown, text_anchor="end"))
        length = plot * value / maximum if maximum else 0
        body.append(
            f'<rect x="{label_width}" y="{y}" width="{max(length, 1):.1f}" height="{bar_height}" '
            f'fill="{BAR}" rx="2"><title>{escape(label)}: {value:g}</title></rect>'
        )
        body.append(_text(label_width + length + 5, y + bar_height * 0.7, f"{value:g}", font_weight=600))
    summary = "; ".join(f"{label}: {value:g}" for label, value in rows)
    return _frame(chart, width, height, body, summary)


def stacked_columns_svg(chart: Chart, width: int = 1120, height: int = 280) -> Markup:
    """Columns per period (first column of each row), stacked by ``chart.series``, with a legend."""
    series = chart.series
    index = {name: chart.columns.index(name) for name in series}
    rows = [(str(r[0]), [float(r[index[s]] or 0) for s in series]) for r in chart.rows]
    left, right, top, bottom = 44, 12, 30, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = _ticks(max((sum(v) for _, v in rows), default=0))
    maximum = ticks[-1]
    body = []
    x = left
    for name in series:  # legend
        body.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{SERIES_COLOURS.get(name, BAR)}"/>')
        body.append(_text(x + 17, 16, name.capitalize()))
        x += 24 + 8 * len(name) + 20
    for value in ticks:
        y = top + plot_h - plot_h * value / maximum
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, f"{value:g}", text_anchor="end", fill=MUTED, font_size=11))
    slot = plot_w / max(1, len(rows))
    bar_w = max(4.0, min(36.0, slot * 0.62))
    label_every = max(1, round(len(rows) / 13))
    for i, (label, values) in enumerate(rows):
        cx = left + slot * i + slot / 2
        y = top + plot_h
        for name, value in zip(series, values, strict=True):
            if value <= 0:
                continue
            h = plot_h * value / maximum
            y -= h
            body.append(
                f'<rect x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{SERIES_COLOURS.get(name, BAR)}"><title>Week of {escape(label)}: '
                f"{value:g} {escape(name)}</title></rect>"
            )
        total = sum(values)
        if total:
            body.append(_text(cx, y - 4, f"{total:g}", text_anchor="middle", font_size=11, font_weight=600))
        if i % label_every == 0:
            body.append(
                _text(cx, top + plot_h + 15, label[5:], text_anchor="middle", fill=MUTED, font_size=11)
            )
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{MUTED}"/>'
    )
    body.append(
        _text(left + plot_w / 2, height - 8, "Week starting (month-day)", text_anchor="middle", fill=MUTED)
    )
    summary = "; ".join(
        f"week of {label}: " + ", ".join(f"{v:g} {s}" for s, v in zip(series, values, strict=True))
        for label, values in rows
    )
    return _frame(chart, width, height, body, summary)


def chart_svg(chart: Chart) -> Markup:
    if chart.kind == "stacked_columns":
        return stacked_columns_svg(chart)
    return bars_svg(chart)
