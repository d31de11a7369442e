"""A line chart of a term's frequency per year, as inline SVG written at build time.

No script and no style attribute: the chart is plain SVG markup with presentation attributes
(the site's Content-Security-Policy allows no inline style), classes that ``site.css`` colours,
a ``<title>`` per point that browsers show on hover, and ``role="img"`` with an ``aria-label``.
The page shows the same figures as a table beside it, for readers who cannot see the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from shiliao.zh.stats import YearCount

__all__ = ["frequency_chart"]

_WIDTH = 640
_HEIGHT = 220
_LEFT = 48
_RIGHT = 12
_TOP = 14
_BOTTOM = 30


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1.0
    power = 10.0 ** len(str(int(value)))
    while power / 10 >= value:
        power /= 10
    for step in (0.1, 0.2, 0.25, 0.5, 1.0):
        if step * power >= value:
            return step * power
    return power


def _year_ticks(first: int, last: int) -> list[int]:
    span = last - first
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 8)
    start = first + (-first) % step
    return list(range(start, last + 1, step)) or [first]


def frequency_chart(rows: Sequence[YearCount], label: str) -> Markup:
    """Draw occurrences per 10,000 characters, year by year, as an SVG line chart.

    Years without any text are gaps in the line; years with text but no occurrence are points
    at zero. Each point's ``<title>`` gives the year, the count and the rate.

    Args:
        rows: ``zh.stats.yearly_frequency`` rows (every year with text), ascending.
        label: what the chart shows, for ``aria-label`` and ``<title>``, in English (an
            attribute cannot mark Chinese in it with ``lang``), e.g. ``"Occurrences per 10,000
            characters, by year, 1954-2025"``; escaped here.

    Returns:
        The ``<svg>`` element as safe markup (every text in it escaped); empty markup when no
        row has text.
    """
    rows = [row for row in rows if row.chars]
    if not rows:
        return Markup("")
    first, last = rows[0].year, rows[-1].year
    top = _nice_ceiling(max(row.per_10k for row in rows))
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM

    def x(year: int) -> float:
        return _LEFT + (plot_w * (year - first) / (last - first) if last > first else plot_w / 2)

    def y(value: float) -> float:
        return _TOP + plot_h * (1 - value / top)

    parts = [
        Markup(
            '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
            'width="{w}" height="{h}" role="img" aria-label="{label}">'
        ).format(w=_WIDTH, h=_HEIGHT, label=label),
        Markup("<title>{}</title>").format(label),
    ]
    for fraction in (0.0, 0.5, 1.0):
        value = top * fraction
        parts.append(
            Markup(
                '<line class="grid" x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}" '
                'stroke="currentColor" stroke-opacity="0.15"/>'
                '<text class="tick" x="{tx}" y="{ty:.1f}" text-anchor="end" font-size="11">'
                "{value}</text>"
            ).format(
                x1=_LEFT,
                x2=_WIDTH - _RIGHT,
                y=y(value),
                tx=_LEFT - 6,
                ty=y(value) + 4,
                value=f"{value:g}",
            )
        )
    for year in _year_ticks(first, last):
        parts.append(
            Markup(
                '<text class="tick" x="{x:.1f}" y="{y}" text-anchor="middle" font-size="11">'
                "{year}</text>"
            ).format(x=x(year), y=_HEIGHT - 10, year=year)
        )
    # One polyline per run of consecutive years with text: a year with no text is a gap.
    runs: list[list[YearCount]] = []
    for row in rows:
        if runs and row.year == runs[-1][-1].year + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    for run in runs:
        points = " ".join(f"{x(r.year):.1f},{y(r.per_10k):.1f}" for r in run)
        parts.append(
            Markup(
                '<polyline class="line" points="{}" fill="none" stroke="currentColor" '
                'stroke-width="1.5"/>'
            ).format(points)
        )
    for row in rows:
        parts.append(
            Markup(
                '<circle class="point{empty}" cx="{cx:.1f}" cy="{cy:.1f}" r="{r}" '
                'fill="currentColor"><title>{year}: {count} ({rate} per 10,000 characters)'
                "</title></circle>"
            ).format(
                empty="" if row.count else " zero",
                cx=x(row.year),
                cy=y(row.per_10k),
                r=3 if row.count else 1.5,
                year=row.year,
                count=row.count,
                rate=f"{row.per_10k:.2f}",
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
