"""A failure's shortage timeline as inline SVG, drawn here (no script, no
chart library): weeks after the failure on the x axis, one row per lost
market with its stock (from week 0), its shortage (the bar, from the week
the stock runs out for the weeks it runs short) and the week it is back (a
tick; dashed when the recovery rests on the 52-week fallback). The rule
behind the figures is :mod:`graphkit.analysis.exposure`'s; this only draws
the records it gives. Text from data is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from graphkit.analysis.exposure import UNKNOWN_RECOVERY_WEEKS, LostMarket
from graphkit.text import market_name, money_short

from .page import h

__all__ = ["COLORS", "MAX_MARKETS", "shortage_chart"]

#: Markets drawn per chart (those losing most first); the chart says how many more there are.
MAX_MARKETS = 24
#: Fill of the shortage bar, the stock bar and the recovery tick (the legend uses the same).
COLORS = {"short": "#e15759", "stock": "#a0cbe8", "back": "#1d2330"}
_WIDTH, _LABEL_W, _RIGHT = 640.0, 190.0, 16.0
_ROW, _GAP, _AXIS = 20.0, 6.0, 40.0
_STEPS = (1, 2, 4, 8, 13, 26, 52, 104, 260, 520)  # tick spacings in weeks: a quarter, half a year...


def _back(m: LostMarket) -> float:
    return UNKNOWN_RECOVERY_WEEKS if m.recovery_weeks is None else m.recovery_weeks


def _axis(weeks: float) -> tuple[float, float]:
    """(end of the axis, tick step): at most 8 ticks, the end a whole number of steps."""
    step = next((s for s in _STEPS if weeks / s <= 8), _STEPS[-1] * math.ceil(weeks / (8 * _STEPS[-1])))
    return max(step, step * math.ceil(weeks / step)), step


def _weeks(w: float) -> str:
    return f"{w:g} week" + ("" if w == 1 else "s")


def shortage_chart(node: str, markets: Sequence[LostMarket]) -> str:
    """The SVG of one failed node's lost markets over time (empty when none).

    The ``svg`` carries ``data-x0``/``data-x1`` (where weeks 0 and
    ``data-weeks`` lie, in its own units) so a reader can turn drawn
    positions back into weeks; each market is a ``g.gk-tl-market`` holding
    ``rect.gk-tl-stock``, ``rect.gk-tl-short`` (when it runs short) and
    ``line.gk-tl-back``.

    >>> m = LostMarket("prod-a", "EU", 10.0, 4.0, 6.0, 4.0, 6e6)
    >>> svg = shortage_chart("cmo-a", [m])
    >>> 'data-market="prod-a (EU)"' in svg, 'class="gk-tl-short"' in svg
    (True, True)
    """
    rows = sorted(markets, key=lambda m: (-m.loss, -m.shortage_weeks, m.product, m.market or ""))[:MAX_MARKETS]
    if not rows:
        return ""
    end, step = _axis(max(1.0, *(max(_back(m), m.inventory_weeks) for m in rows)))
    x0, x1 = _LABEL_W, _WIDTH - _RIGHT
    top = 4.0
    height = top + len(rows) * (_ROW + _GAP) + _AXIS

    def x(weeks: float) -> float:
        return x0 + (x1 - x0) * weeks / end

    parts = [
        f'<svg class="gk-bars gk-timeline" viewBox="0 0 {_WIDTH:.0f} {height:.0f}" role="img" '
        f'aria-label="{h("shortage timeline if " + node + " fails")}" '
        f'data-node="{h(node)}" data-x0="{x0:.2f}" data-x1="{x1:.2f}" data-weeks="{end:g}">'
    ]
    for i, m in enumerate(rows):
        y = top + i * (_ROW + _GAP)
        name = market_name(m.product, m.market)
        back = _back(m)
        label = name if len(name) <= 26 else name[:25] + "\u2026"
        parts.append(
            f'<g class="gk-tl-market" data-market="{h(name)}">'
            f'<text x="0" y="{y + _ROW * 0.75:.1f}" font-size="13" fill="#1d2330">{h(label)}<title>{h(name)}</title>'
            "</text>"
        )
        if m.inventory_weeks:
            parts.append(
                f'<rect class="gk-tl-stock" x="{x(0):.2f}" y="{y + _ROW * 0.35:.1f}" '
                f'width="{x(m.inventory_weeks) - x(0):.2f}" height="{_ROW * 0.3:.1f}" fill="{COLORS["stock"]}">'
                f"<title>{h(f'{name}: {_weeks(m.inventory_weeks)} of stock')}</title></rect>"
            )
        if m.shortage_weeks and m.short_from_week is not None:
            start = m.short_from_week
            tip = f"{name}: short from week {start:g} for {_weeks(m.shortage_weeks)}, loss {money_short(m.loss)}"
            parts.append(
                f'<rect class="gk-tl-short" x="{x(start):.2f}" y="{y:.1f}" '
                f'width="{x(start + m.shortage_weeks) - x(start):.2f}" height="{_ROW:.0f}" '
                f'fill="{COLORS["short"]}"><title>{h(tip)}</title></rect>'
            )
        unknown = m.recovery_weeks is None
        tip = f"{name}: back at week {back:g}" + (" (recovery time unknown: 52 weeks counted)" if unknown else "")
        parts.append(
            f'<line class="gk-tl-back" x1="{x(back):.2f}" x2="{x(back):.2f}" y1="{y - 2:.1f}" '
            f'y2="{y + _ROW + 2:.1f}" stroke="{COLORS["back"]}" stroke-width="2"'
            + (' stroke-dasharray="3 2"' if unknown else "")
            + f"><title>{h(tip)}</title></line></g>"
        )
    base = top + len(rows) * (_ROW + _GAP)
    parts.append(f'<line x1="{x0:.2f}" x2="{x1:.2f}" y1="{base:.1f}" y2="{base:.1f}" stroke="#6b7280"/>')
    for k in range(int(end / step) + 1):
        w = k * step
        parts.append(
            f'<line x1="{x(w):.2f}" x2="{x(w):.2f}" y1="{base:.1f}" y2="{base + 4:.1f}" stroke="#6b7280"/>'
            f'<text x="{x(w):.2f}" y="{base + 17:.1f}" font-size="12" text-anchor="middle" '
            f'fill="#4b5563">{w:g}</text>'
        )
    parts.append(
        f'<text x="{(x0 + x1) / 2:.2f}" y="{base + 34:.1f}" font-size="12" text-anchor="middle" '
        'fill="#4b5563">weeks after the failure</text></svg>'
    )
    return "".join(parts)
