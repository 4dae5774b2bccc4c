"""Charts as inline SVG, made in Python: a page that holds them needs no script, no font and
no network, prints as it shows, and gives the same bytes for the same numbers.

Every chart is one ``<svg>`` element with its size in pixels (it scales down to the page's
width), a ``<title>`` that says what it shows, and its numbers written beside its marks.

>>> svg = bars([("valid", 90), ("invalid", 10)], title="e-mails")
>>> svg.startswith("<svg") and svg.count("<rect") == 2 and ">90<" in svg
True
>>> svg = histogram([5, 0, 2], [-10.0, 0.0, 10.0, 20.0], {"match": 5.0}, title="scores")
>>> svg.count('class="mark"'), 'class="threshold"' in svg
(2, True)
>>> svg = grid(["crm.csv"], ["e-mail", "phone"], [[(0.5, 4), None]], title="validity")
>>> svg.count('class="mark"'), "50.0 %" in svg
(1, True)
>>> svg = waterfall([("prior", -8.0), ("name = exact", 6.5), ("email = missing", 0.0)], "w")
>>> svg.count('class="mark"'), "−1.50" in svg
(4, True)
"""

from __future__ import annotations

import math
from html import escape

WIDTH = 720
LABEL = 250  # the label column of a horizontal chart
ROW = 24
GREEN, RED, GREY, AMBER, BLUE = "#2e7d4f", "#c0392b", "#9aa3ad", "#d68a00", "#3b6ea5"
SERIES = (GREEN, AMBER, RED, GREY, BLUE, "#7b5ea7")


def number(x: float, digits: int = 0) -> str:
    """*x* as a person reads it: thousands apart, a true minus sign.

    >>> number(12345), number(-1.5, 2), number(0.25, 2)
    ('12,345', '−1.50', '0.25')
    """
    text = f"{x:,.{digits}f}"
    return text.replace("-", "−")


def _svg(height: int, title: str, body: list[str], width: int = WIDTH) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{c}>{escape(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str = "") -> str:
    tip = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<rect class="mark" x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.0):.1f}" '
        f'height="{h:.1f}" fill="{fill}">{tip}</rect>'
    )


def bars(
    rows: list[tuple[str, float]],
    *,
    title: str,
    digits: int = 0,
    suffix: str = "",
    top: float | None = None,
    colour: str = BLUE,
    marks: dict[str, float] | None = None,
) -> str:
    """One horizontal bar per (label, value); *top* the value of a full bar (default: the
    largest); *marks* draw a labelled vertical line at a value (a threshold)."""
    top = top or max([v for _, v in rows] + [1e-9])
    span = WIDTH - LABEL - 90
    body = []
    for i, (label, value) in enumerate(rows):
        y = 8 + i * ROW
        body.append(_text(LABEL - 8, y + 15, _short(label), "end"))
        body.append(_rect(LABEL, y + 3, span * value / top, ROW - 8, colour, f"{label}: {value}"))
        x = LABEL + span * value / top + 6
        body.append(_text(x, y + 15, number(value, digits) + suffix, cls="value"))
    height = 16 + len(rows) * ROW
    for name, at in (marks or {}).items():
        x = LABEL + span * at / top
        body.append(
            f'<line class="threshold" x1="{x:.1f}" x2="{x:.1f}" y1="4" y2="{height - 12}"/>'
        )
        body.append(_text(x, height - 1, f"{name} {number(at, digits)}{suffix}", "middle", "small"))
    return _svg(height + (6 if marks else 0), title, body)


def stacked(
    rows: list[tuple[str, list[float]]], series: list[str], *, title: str, colours=SERIES
) -> str:
    """One horizontal bar per row, cut into its *series* (each part's count written in it
    when it fits), every bar the full width: the shares of each row; a legend below."""
    span = WIDTH - LABEL - 70
    body = []
    for i, (label, parts) in enumerate(rows):
        y, x, total = 8 + i * ROW, float(LABEL), sum(parts) or 1
        body.append(_text(LABEL - 8, y + 15, _short(label), "end"))
        for name, n, fill in zip(series, parts, colours, strict=False):
            w = span * n / total
            body.append(_rect(x, y + 3, w, ROW - 8, fill, f"{label}, {name}: {number(n)}"))
            if n and w > 9 * len(number(n)):
                body.append(_text(x + w / 2, y + 15, number(n), "middle", "inside"))
            x += w
        body.append(_text(LABEL + span + 6, y + 15, number(sum(parts)), cls="value"))
    y = 14 + len(rows) * ROW
    x = LABEL
    for name, fill in zip(series, colours, strict=False):
        body.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{fill}"/>')
        body.append(_text(x + 16, y + 11, name, cls="small"))
        x += 28 + 7 * len(name)
    return _svg(y + 20, title, body)


def histogram(
    counts: list[int],
    edges: list[float],
    thresholds: dict[str, float],
    *,
    title: str,
    axis: str = "",
) -> str:
    """Columns of *counts* between *edges* (on a log scale: a few pairs beside thousands
    still show), each with its count, and a labelled vertical line at each threshold (a
    value on the same axis)."""
    left, right, top, bottom = 48, WIDTH - 20, 30, 250
    lo, hi = edges[0], edges[-1]
    scale = lambda v: left + (right - left) * (v - lo) / ((hi - lo) or 1)  # noqa: E731
    peak = math.log10(max(counts + [1]) + 1)
    body = [f'<line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>']
    for i, n in enumerate(counts):
        if not n:
            continue
        x0, x1 = scale(edges[i]), scale(edges[i + 1])
        h = (bottom - top - 14) * math.log10(n + 1) / peak
        fill = _band_colour(edges[i], thresholds)
        tip = f"{number(edges[i], 1)} to {number(edges[i + 1], 1)}: {number(n)} pairs"
        body.append(_rect(x0 + 1, bottom - h, x1 - x0 - 2, h, fill, tip))
        body.append(_text((x0 + x1) / 2, bottom - h - 3, number(n), "middle", "small"))
    for v in _ticks(lo, hi):
        body.append(_text(scale(v), bottom + 16, number(v), "middle", "small"))
    body.append(_text((left + right) / 2, bottom + 34, axis, "middle", "small"))
    for j, (name, at) in enumerate(sorted(thresholds.items(), key=lambda kv: kv[1])):
        x = scale(min(max(at, lo), hi))
        body.append(
            f'<line class="threshold" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{bottom}"/>'
        )
        body.append(_text(x + 4, top - 2 - 13 * (j % 2), name, cls="small threshold-label"))
    return _svg(bottom + 42, title, body)


def _band_colour(start: float, thresholds: dict[str, float]) -> str:
    """Grey below every threshold, green from the highest, amber between."""
    passed = sum(start >= t - 1e-9 for t in thresholds.values())
    return GREEN if passed and passed == len(thresholds) else AMBER if passed else GREY


def _ticks(lo: float, hi: float) -> list[float]:
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if (hi - lo) / s <= 10)
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) // step) + 1)]


def waterfall(steps: list[tuple[str, float]], title: str, *, total: str = "match weight") -> str:
    """A pair's evidence as Splink draws it: each step's bar starts where the sum of the
    ones above ended (green adds to the match weight, red takes away), and the last bar is
    the total, from zero."""
    running = [0.0]
    for _, w in steps:
        running.append(running[-1] + w)
    lo, hi = min(running + [0.0]) - 1, max(running + [0.0]) + 1
    left, right = LABEL, WIDTH - 70
    scale = lambda v: left + (right - left) * (v - lo) / (hi - lo)  # noqa: E731
    height = 26 + (len(steps) + 1) * ROW
    body = [
        f'<line class="axis" x1="{scale(0):.1f}" x2="{scale(0):.1f}" y1="4" y2="{height - 18}"/>'
    ]
    rows = [(label, running[i], running[i + 1]) for i, (label, _) in enumerate(steps)]
    rows.append((total, 0.0, running[-1]))
    for i, (label, a, b) in enumerate(rows):
        y = 8 + i * ROW
        last = i == len(rows) - 1
        fill = BLUE if last else (GREEN if b > a else RED if b < a else GREY)
        x0, x1 = sorted((scale(a), scale(b)))
        body.append(_text(LABEL - 8, y + 15, _short(label), "end", "strong" if last else ""))
        body.append(_rect(x0, y + 3, max(x1 - x0, 1.5), ROW - 8, fill, f"{label}: {b - a:+.2f}"))
        sign = "+" if b - a > 0 and not last else ""
        body.append(_text(x1 + 5, y + 15, sign + number(b - a, 2), cls="value"))
    for v in _ticks(lo, hi):
        body.append(_text(scale(v), height - 4, number(v), "middle", "small"))
    return _svg(height, title, body)


def grid(
    rows: list[str], columns: list[str], cells: list[list[tuple[float, int] | None]], *, title: str
) -> str:
    """A table of shares: one cell per (row, column) holding (share 0..1, count given),
    coloured from red (none) to green (all), its percentage written in it; None: nothing
    given (a blank cell)."""
    width = min(WIDTH, LABEL + 104 * len(columns))
    cw, ch = (width - LABEL) / max(len(columns), 1), 30
    body = [
        _text(LABEL + cw * (j + 0.5), 14, _short(c, 14), "middle", "strong")
        for j, c in enumerate(columns)
    ]
    for i, label in enumerate(rows):
        y = 22 + i * ch
        body.append(_text(LABEL - 8, y + 19, _short(label), "end"))
        for j, cell in enumerate(cells[i]):
            x = LABEL + j * cw
            if cell is None:
                body.append(_text(x + cw / 2, y + 19, "–", "middle", "small"))
                continue
            share, n = cell
            tip = f"{label}, {columns[j]}: {100 * share:.1f} % ({n:,})"
            body.append(_rect(x + 2, y + 2, cw - 4, ch - 4, _shade(share), tip))
            body.append(_text(x + cw / 2, y + 19, f"{100 * share:.1f} %", "middle", "inside"))
    return _svg(28 + len(rows) * ch, title, body, width)


def _shade(share: float) -> str:
    """Green at 100 %, amber at 90 %, red at 75 % and below: a rate a steward would act on."""
    if share >= 0.995:
        return GREEN
    return AMBER if share >= 0.9 else RED


def _short(label: str, size: int = 34) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"
