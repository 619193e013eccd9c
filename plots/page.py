"""Text blocks of the report's A4 pages, laid out from measured text extents.

Every width comes from the renderer's extent of the text itself (DejaVu Sans, the same
metrics in the PDF), so no text runs into its neighbour: table columns are as wide as
their widest cell (headers wrap onto two lines; the font shrinks, and a table too wide
even then is split into parts that each repeat the first column), and the headline cards'
big numbers shrink to their card. Positions are in inches from the page's top-left
corner; :class:`Block` is anything drawn at a given top with a known height.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Sequence

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle

__all__ = ["Table", "Card", "Headline", "Block", "text_width_pt", "wrap_text", "text_block", "pair_block", "table_blocks", "headline_block", "FLAG_COLOUR"]

#: Red of warnings and flags.
FLAG_COLOUR = "#B00000"

_RENDERER = RendererAgg(1, 1, 72)  # at 72 dpi a pixel is a point
_PT_PER_IN = 72.0
_FONT_SIZES = (7.5, 7.0, 6.5, 6.0, 5.5)
_CELL_PAD_PT = 4.0
_ROW_PITCH = 1.75  # row height in font sizes
_LINE_PITCH = 1.3  # line height of wrapped text, in font sizes
_HEADER_FILL = "#EEEEEE"
_RULE = "#BBBBBB"


@dataclass(frozen=True)
class Table:
    """A titled table of already formatted cells."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    note: str = ""


@dataclass(frozen=True)
class Card:
    """One headline figure: a label, a big value, a bold verdict, smaller lines and red flags."""

    label: str
    value: str
    emphasis: str = ""
    lines: Sequence[str] = ()
    flags: Sequence[str] = ()
    colour: str = "#000000"


@dataclass(frozen=True)
class Headline:
    """The first thing on page 1: a title, cards side by side (rows of ``per_row``), a note."""

    title: str
    cards: Sequence[Card]
    note: str = ""
    flags: Sequence[str] = ()
    per_row: int = 3


@dataclass(frozen=True)
class Block:
    """Something of ``height_in`` drawn by ``draw(page, left_in, top_in, width_in)``."""

    height_in: float
    draw: Callable[[Figure, float, float, float], None]


@lru_cache(maxsize=8192)
def text_width_pt(text: str, size: float, weight: str = "normal") -> float:
    """Width in points of one line of ``text`` in the report's font."""
    width, _, _ = _RENDERER.get_text_width_height_descent(text, FontProperties(size=size, weight=weight), ismath=False)
    return float(width)


def wrap_text(text: str, size: float, width_pt: float, weight: str = "normal") -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``width_pt`` (a single word
    wider than that stays on its own line)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and text_width_pt(candidate, size, weight) > width_pt:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _text(page: Figure, x_in: float, top_in: float, text: str, size: float, **kwargs: Any) -> None:
    """One line whose top lies at ``top_in`` (inches from the page's top)."""
    height_in = page.get_size_inches()[1]
    page.text(x_in, height_in - top_in, text, fontsize=size, va="top", transform=page.dpi_scale_trans, parse_math=False, **kwargs)


def _lines_height_in(n_lines: int, size: float) -> float:
    return n_lines * size * _LINE_PITCH / _PT_PER_IN


def text_block(text: str, size: float, *, weight: str = "normal", colour: str = "#000000", width_in: float, gap_in: float = 0.04) -> Block:
    """Wrapped text of one size and colour."""
    lines = wrap_text(text, size, width_in * _PT_PER_IN, weight)

    def draw(page: Figure, left: float, top: float, width: float) -> None:
        for k, line in enumerate(lines):
            _text(page, left, top + _lines_height_in(k, size), line, size, weight=weight, color=colour)

    return Block(_lines_height_in(len(lines), size) + gap_in, draw)


def pair_block(label: str, value: str, *, width_in: float, label_in: float = 1.45, size: float = 8.5) -> Block:
    """``label:`` in bold, its value beside it, wrapped to the rest of the width."""
    lines = wrap_text(value, size, (width_in - label_in) * _PT_PER_IN)

    def draw(page: Figure, left: float, top: float, width: float) -> None:
        _text(page, left, top, f"{label}:", size, weight="bold")
        for k, line in enumerate(lines):
            _text(page, left + label_in, top + _lines_height_in(k, size), line, size)

    return Block(_lines_height_in(len(lines), size), draw)


# --- tables ---------------------------------------------------------------------------


def _header_split(label: str, size: float) -> list[str]:
    """The narrowest wrap of a header label into at most two lines."""
    words = label.split(" ")
    splits = [[label]] + [[" ".join(words[:cut]), " ".join(words[cut:])] for cut in range(1, len(words))]
    return min(splits, key=lambda lines: max(text_width_pt(line, size, "bold") for line in lines))


@dataclass(frozen=True)
class _Fit:
    size: float
    widths_pt: list[float]
    headers: list[list[str]]


def _fit(table: Table, size: float, width_pt: float) -> _Fit:
    """Column widths at ``size``: each column as wide as its widest cell or header line.
    Headers stay on one line while the table fits; otherwise those that gain most wrap
    onto two lines, one at a time, until it does (or none is left)."""

    def width(lines: list[str]) -> float:
        return max(text_width_pt(line, size, "bold") for line in lines)

    cells = [max((text_width_pt(str(row[c]), size) for row in table.rows), default=0.0) for c in range(len(table.columns))]
    headers = [[label] for label in table.columns]
    wrapped = [_header_split(label, size) for label in table.columns]

    def widths() -> list[float]:
        return [max(cell, width(lines)) + 2 * _CELL_PAD_PT for cell, lines in zip(cells, headers)]

    gains = sorted(range(len(headers)), key=lambda c: max(cells[c], width(wrapped[c])) - max(cells[c], width(headers[c])))
    for c in gains:
        if sum(widths()) <= width_pt:
            break
        headers[c] = wrapped[c]
    return _Fit(size, widths(), headers)


def _subtable(table: Table, columns: list[int], part: int) -> Table:
    title = table.title if part == 0 else f"{table.title} (continued)"
    return Table(title, [table.columns[c] for c in columns], [[row[c] for c in columns] for row in table.rows], table.note)


def _column_parts(fit: _Fit, width_pt: float) -> list[list[int]]:
    """Columns 1.. grouped so that each group with column 0 fits ``width_pt``."""
    parts, current, used = [], [0], fit.widths_pt[0]
    for c in range(1, len(fit.widths_pt)):
        if len(current) > 1 and used + fit.widths_pt[c] > width_pt:
            parts.append(current)
            current, used = [0], fit.widths_pt[0]
        current.append(c)
        used += fit.widths_pt[c]
    parts.append(current)
    return parts


def table_blocks(table: Table, width_in: float) -> list[Block]:
    """The table as blocks of at most the page's width: the largest font (7.5 to 5.5 pt)
    at which every column fits; split into parts by columns if none does."""
    width_pt = width_in * _PT_PER_IN
    for size in _FONT_SIZES:
        fit = _fit(table, size, width_pt)
        if sum(fit.widths_pt) <= width_pt:
            return [_table_block(table, fit, width_pt)]
    parts = _column_parts(fit, width_pt)
    return [table_blocks(_subtable(table, columns, k), width_in)[0] for k, columns in enumerate(parts)]


def _table_block(table: Table, fit: _Fit, width_pt: float) -> Block:
    size = fit.size
    spare = (width_pt - sum(fit.widths_pt)) / len(fit.widths_pt)
    widths_in = [(w + spare) / _PT_PER_IN for w in fit.widths_pt]
    gap_in = 0.12
    title_in = 10.0 * 1.6 / _PT_PER_IN
    row_in = size * _ROW_PITCH / _PT_PER_IN
    header_in = _lines_height_in(max(len(h) for h in fit.headers), size) + 2 * _CELL_PAD_PT / _PT_PER_IN
    note = wrap_text(table.note, 6.5, width_pt) if table.note else []
    rows = table.rows or [["no data"] + [""] * (len(table.columns) - 1)]
    height = gap_in + title_in + header_in + row_in * len(rows) + _lines_height_in(len(note), 6.5) + 0.12

    def draw(page: Figure, left: float, top: float, width: float) -> None:
        top += gap_in
        _text(page, left, top, table.title, 10.0, weight="bold")
        y = top + title_in
        page_h = page.get_size_inches()[1]
        page.add_artist(
            Rectangle(
                (left, page_h - y - header_in),
                sum(widths_in),
                header_in,
                transform=page.dpi_scale_trans,
                facecolor=_HEADER_FILL,
                edgecolor=_RULE,
                linewidth=0.5,
            )
        )
        for c, lines in enumerate(fit.headers):
            _cell_lines(page, left, widths_in, c, y + _CELL_PAD_PT / _PT_PER_IN, lines, size, "bold")
        y += header_in
        for row in rows:
            for c, cell in enumerate(row):
                _cell_lines(page, left, widths_in, c, y + (_ROW_PITCH - _LINE_PITCH) * size / 2 / _PT_PER_IN, [str(cell)], size, "normal")
            y += row_in
            page.add_artist(Line2D([left, left + sum(widths_in)], [page_h - y] * 2, transform=page.dpi_scale_trans, color=_RULE, linewidth=0.4))
        for k, line in enumerate(note):
            _text(page, left, y + 0.04 + _lines_height_in(k, 6.5), line, 6.5, color="#444444")

    return Block(height, draw)


def _cell_lines(page: Figure, left: float, widths_in: list[float], column: int, top: float, lines: list[str], size: float, weight: str) -> None:
    x0 = left + sum(widths_in[:column])
    pad = _CELL_PAD_PT / _PT_PER_IN
    x, ha = (x0 + pad, "left") if column == 0 else (x0 + widths_in[column] - pad, "right")
    for k, line in enumerate(lines):
        _text(page, x, top + _lines_height_in(k, size), line, size, weight=weight, ha=ha)


# --- headline --------------------------------------------------------------------------

_CARD_GAP_IN = 0.12
_CARD_PAD_IN = 0.08
_CARD_LABEL_PT = 9.0
_CARD_VALUE_PT = 20.0
_CARD_LINE_PT = 7.5
_CARD_EMPHASIS_PT = 10.0


@dataclass(frozen=True)
class _CardLayout:
    value_size: float
    emphasis: list[str]
    lines: list[str]
    flags: list[str]
    height_in: float


def _card_layout(card: Card, width_in: float) -> _CardLayout:
    """The value's font size (shrunk to fit the card) and the wrapped text of a card."""
    inner_pt = (width_in - 2 * _CARD_PAD_IN) * _PT_PER_IN
    value_size = min(_CARD_VALUE_PT, _CARD_VALUE_PT * inner_pt / max(text_width_pt(card.value, _CARD_VALUE_PT, "bold"), 1e-9))
    emphasis = wrap_text(card.emphasis, _CARD_EMPHASIS_PT, inner_pt, "bold") if card.emphasis else []
    lines = [w for line in card.lines for w in wrap_text(line, _CARD_LINE_PT, inner_pt)]
    flags = [w for flag in card.flags for w in wrap_text(flag, _CARD_LINE_PT, inner_pt, "bold")]
    height = (
        2 * _CARD_PAD_IN
        + _lines_height_in(1, _CARD_LABEL_PT)
        + _lines_height_in(1, _CARD_VALUE_PT)
        + _lines_height_in(len(emphasis), _CARD_EMPHASIS_PT)
        + _lines_height_in(len(lines) + len(flags), _CARD_LINE_PT)
    )
    return _CardLayout(value_size, emphasis, lines, flags, height)


def headline_block(headline: Headline, width_in: float) -> Block:
    """Headline title, cards in rows, red session flags and a note."""
    per_row = max(1, min(headline.per_row, len(headline.cards)))
    card_w = (width_in - (per_row - 1) * _CARD_GAP_IN) / per_row
    rows = [headline.cards[k : k + per_row] for k in range(0, len(headline.cards), per_row)]
    layouts = [[_card_layout(card, card_w) for card in row] for row in rows]
    row_heights = [max(layout.height_in for layout in row) for row in layouts]
    title = text_block(headline.title, 11.0, weight="bold", width_in=width_in)
    flags = [text_block(flag, 8.5, weight="bold", colour=FLAG_COLOUR, width_in=width_in, gap_in=0.02) for flag in headline.flags]
    note = text_block(headline.note, 6.5, colour="#444444", width_in=width_in) if headline.note else None
    height = title.height_in + sum(row_heights) + _CARD_GAP_IN * len(rows) + sum(f.height_in for f in flags) + (note.height_in if note else 0.0) + 0.12

    def draw(page: Figure, left: float, top: float, width: float) -> None:
        title.draw(page, left, top, width)
        y = top + title.height_in
        for row, layout, row_h in zip(rows, layouts, row_heights):
            for k, (card, card_layout) in enumerate(zip(row, layout)):
                _draw_card(page, left + k * (card_w + _CARD_GAP_IN), y, card_w, row_h, card, card_layout)
            y += row_h + _CARD_GAP_IN
        for block in [*flags, *([note] if note else [])]:
            block.draw(page, left, y, width)
            y += block.height_in

    return Block(height, draw)


def _draw_card(page: Figure, left: float, top: float, width: float, height: float, card: Card, layout: _CardLayout) -> None:
    page_h = page.get_size_inches()[1]
    page.add_artist(
        FancyBboxPatch(
            (left, page_h - top - height),
            width,
            height,
            boxstyle="round,pad=0,rounding_size=0.06",
            transform=page.dpi_scale_trans,
            facecolor="#F6F6F6",
            edgecolor=card.colour,
            linewidth=1.0,
        )
    )
    x, y = left + _CARD_PAD_IN, top + _CARD_PAD_IN
    _text(page, x, y, card.label, _CARD_LABEL_PT, weight="bold", color=card.colour)
    y += _lines_height_in(1, _CARD_LABEL_PT)
    _text(page, x, y, card.value, layout.value_size, weight="bold")
    y += _lines_height_in(1, _CARD_VALUE_PT)
    for line in layout.emphasis:
        _text(page, x, y, line, _CARD_EMPHASIS_PT, weight="bold")
        y += _lines_height_in(1, _CARD_EMPHASIS_PT)
    for line, style in [(line, {}) for line in layout.lines] + [(flag, {"weight": "bold", "color": FLAG_COLOUR}) for flag in layout.flags]:
        _text(page, x, y, line, _CARD_LINE_PT, **style)
        y += _lines_height_in(1, _CARD_LINE_PT)
