"""Charts as inline SVG, built here so the report needs no JavaScript and no file beside it.

Elements are built with ElementTree, which escapes every text and attribute, so a label taken
from the data (a province, a topic) cannot inject markup; the result is ``Markup`` for Jinja.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from reports.vi import SENTIMENT_LABELS, number

__all__ = ["COLORS", "Bar", "Column", "horizontal_bars", "nice_ticks", "stacked_columns"]

COLORS = {
    "negative": "#c0392b",
    "neutral": "#95a5a6",
    "positive": "#2e8b57",
    "untagged": "#d5d8dc",
    "total": "#5d7b9a",
}
FONT = "font-family:'Noto Sans','DejaVu Sans',Arial,sans-serif;font-size:11px"
STACK = ("negative", "neutral", "positive", "untagged")  # bottom to top


@dataclass(frozen=True)
class Column:
    label: str  # first line under the column
    sublabel: str  # second line
    values: dict[str, int]  # sentiment -> count


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    negative: int


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """Round gridline values from 0 to at least ``top``.

    >>> nice_ticks(0), nice_ticks(7), nice_ticks(38), nice_ticks(1234)
    ([0, 1], [0, 2, 4, 6, 8], [0, 10, 20, 30, 40], [0, 500, 1000, 1500])
    """
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def _svg(width: int, height: int, title: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {width} {height}",
         "width": str(width), "height": str(height), "role": "img", "style": FONT},
    )  # fmt: skip
    ET.SubElement(svg, "title").text = title
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> None:
    ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", **attrs}).text = text


def _rect(parent: ET.Element, x: float, y: float, w: float, h: float, fill: str, tip: str) -> None:
    rect = ET.SubElement(
        parent, "rect",
        {"x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{w:.1f}", "height": f"{h:.1f}",
         "fill": fill},
    )  # fmt: skip
    ET.SubElement(rect, "title").text = tip


def _render(svg: ET.Element) -> Markup:
    return Markup(ET.tostring(svg, encoding="unicode"))  # noqa: S704 (built by ElementTree: escaped)


def stacked_columns(columns: Sequence[Column], title: str) -> Markup:
    """One column per bucket, stacked by sentiment (negative at the bottom), with a legend."""
    width, height, left, top, bottom = 640, 250, 44, 18, 70
    plot_h = height - top - bottom
    ticks = nice_ticks(max((sum(c.values.values()) for c in columns), default=0))
    scale = plot_h / ticks[-1]
    svg = _svg(width, height, title)
    for tick in ticks:
        y = top + plot_h - tick * scale
        ET.SubElement(svg, "line", {"x1": str(left), "x2": str(width - 8), "y1": f"{y:.1f}",
                                    "y2": f"{y:.1f}", "stroke": "#e5e7eb"})  # fmt: skip
        _text(svg, left - 6, y + 4, number(tick), **{"text-anchor": "end", "fill": "#555"})
    slot = (width - 8 - left) / max(len(columns), 1)
    for i, column in enumerate(columns):
        x, y = left + i * slot + slot * 0.2, top + plot_h
        for key in STACK:
            value = column.values.get(key, 0)
            if value:
                y -= value * scale
                tip = f"{column.label} {column.sublabel}: {SENTIMENT_LABELS[key]} {number(value)}"
                _rect(svg, x, y, slot * 0.6, value * scale, COLORS[key], tip)
        total = sum(column.values.values())
        middle = {"text-anchor": "middle"}
        _text(svg, x + slot * 0.3, y - 4, number(total), **middle, fill="#333")
        _text(svg, x + slot * 0.3, top + plot_h + 15, column.label, **middle)
        _text(svg, x + slot * 0.3, top + plot_h + 28, column.sublabel, **middle, fill="#555")
    for i, key in enumerate(STACK):
        x = left + i * 130
        _rect(svg, x, height - 22, 11, 11, COLORS[key], SENTIMENT_LABELS[key])
        _text(svg, x + 16, height - 12.5, SENTIMENT_LABELS[key])
    return _render(svg)


def horizontal_bars(bars: Sequence[Bar], title: str, label_width: int = 190) -> Markup:
    """One bar per row (its total), the negative part drawn over it in red."""
    width, row, top = 640, 24, 6
    height = top + row * len(bars) + 30
    plot_w = width - label_width - 60
    most = max((b.total for b in bars), default=0) or 1
    svg = _svg(width, height, title)
    for i, bar in enumerate(bars):
        y = top + i * row
        _text(svg, label_width - 8, y + 15, bar.label, **{"text-anchor": "end"})
        full = bar.total / most * plot_w
        _rect(svg, label_width, y + 4, full, row - 8, COLORS["total"],
              f"{bar.label}: {number(bar.total)}")  # fmt: skip
        if bar.negative:
            _rect(svg, label_width, y + 4, bar.negative / most * plot_w, row - 8,
                  COLORS["negative"], f"{bar.label}: tiêu cực {number(bar.negative)}")  # fmt: skip
        _text(svg, label_width + full + 6, y + 15, number(bar.total), fill="#333")
    y = height - 20
    for i, (key, name) in enumerate((("total", "Tổng số"), ("negative", "Tiêu cực"))):
        x = label_width + i * 110
        _rect(svg, x, y, 11, 11, COLORS[key], name)
        _text(svg, x + 16, y + 9.5, name)
    return _render(svg)
