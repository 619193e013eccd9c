"""Assemble a report from tables and figure panels: A4 PDF, self-contained HTML, PNGs.

A :class:`Panel` knows how to draw itself on a list of axes; the same panel is drawn on
the A4 pages of the PDF (two panels a page) and on a figure of its own for the PNG and the
HTML page, so every output shows the same picture. Figures are
:class:`matplotlib.figure.Figure` objects rendered by their own canvas: no pyplot, and
importing this module leaves the matplotlib backend as it was (a notebook keeps its own).
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from mat_driver.paths import make_folder
from plots.page import FLAG_COLOUR, Block, Card, Headline, Table, headline_block, pair_block, table_blocks, text_block
from plots.style import A4_PORTRAIT_IN

__all__ = ["Table", "Card", "Headline", "Panel", "Report", "REPORT_FORMATS", "write_report", "render_panel"]

#: Output formats of :func:`write_report`.
REPORT_FORMATS = ("pdf", "html", "png")

_ROWS_PER_PAGE = 32
_PNG_SIZE_IN = (8.0, 4.2)
_DPI = 150
_MARGIN_IN = 0.07 * A4_PORTRAIT_IN[0]  # left and right
_TOP_IN = 0.45
_BOTTOM_IN = 0.55  # the footer sits below
# Two panels a page: their slots' tops, pitch, plot height and the caption's distance
# below the plot, in fractions of the page's height.
_PANEL_TOP, _PANEL_PITCH, _PANEL_HEIGHT, _CAPTION_BELOW = 0.97, 0.475, 0.33, 0.05


@dataclass(frozen=True)
class Panel:
    """One figure: ``draw(axes)`` draws on ``n_axes`` axes laid out side by side."""

    key: str
    title: str
    draw: Callable[[list[Axes]], object]
    n_axes: int = 1
    caption: str = ""
    width_ratios: Sequence[float] | None = None


@dataclass(frozen=True)
class Report:
    """Everything a report shows, in order: the title, the headline (page 1's key figures),
    the header, notices, tables, then the panels."""

    title: str
    header: Sequence[tuple[str, str]]
    notices: Sequence[str] = ()
    tables: Sequence[Table] = ()
    panels: Sequence[Panel] = ()
    footer: str = ""
    headline: Headline | None = None


def render_panel(panel: Panel, figure: Figure, rect: Sequence[float] | None = None) -> None:
    """Draw ``panel`` into ``figure`` (in ``rect`` = left, bottom, width, height if given)."""
    grid = figure.add_gridspec(
        1,
        panel.n_axes,
        width_ratios=panel.width_ratios,
        **({} if rect is None else dict(left=rect[0], bottom=rect[1], right=rect[0] + rect[2], top=rect[1] + rect[3])),
        wspace=0.35,
    )
    axes = [figure.add_subplot(grid[0, i]) for i in range(panel.n_axes)]
    panel.draw(axes)


def _panel_figure(panel: Panel) -> Figure:
    figure = Figure(figsize=(_PNG_SIZE_IN[0], _PNG_SIZE_IN[1]), layout="constrained")
    render_panel(panel, figure)
    figure.suptitle(panel.title, fontsize=11)
    return figure


def _png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def write_report(report: Report, folder: Path, stem: str, formats: Iterable[str] = REPORT_FORMATS) -> dict[str, Path]:
    """Write the report into ``folder``; return the written paths by kind.

    PNGs are named ``{stem}-{panel.key}.png``; the PDF and HTML ``{stem}.pdf`` and
    ``{stem}.html``.
    """
    make_folder(folder)
    formats = set(formats)
    written: dict[str, Path] = {}
    pngs = {panel.key: _png_bytes(_panel_figure(panel)) for panel in report.panels} if formats & {"png", "html"} else {}
    if "png" in formats:
        for key, data in pngs.items():
            path = folder / f"{stem}-{key}.png"
            path.write_bytes(data)
            written[f"png:{key}"] = path
    if "pdf" in formats:
        written["pdf"] = _write_pdf(report, folder / f"{stem}.pdf")
    if "html" in formats:
        path = folder / f"{stem}.html"
        path.write_text(_html(report, pngs), encoding="utf-8")
        written["html"] = path
    return written


def _write_pdf(report: Report, path: Path) -> Path:
    width_in = A4_PORTRAIT_IN[0] - 2 * _MARGIN_IN
    with PdfPages(path, metadata={"Title": report.title, "Creator": "pressure-mat"}) as pdf:
        for page in _text_pages(report):
            pdf.savefig(page)
        panels = list(report.panels)
        for start in range(0, len(panels), 2):
            page = Figure(figsize=A4_PORTRAIT_IN)
            for slot, panel in enumerate(panels[start : start + 2]):
                top = _PANEL_TOP - _PANEL_PITCH * slot  # fractions of the page's height
                page.text(0.07, top - 0.015, panel.title, fontsize=11, weight="bold")
                bottom = top - 0.05 - _PANEL_HEIGHT  # room for the axes' own titles
                render_panel(panel, page, rect=(0.1, bottom, 0.82, _PANEL_HEIGHT))
                if panel.caption:  # below the axis labels, wrapped to the margins
                    text_block(panel.caption, 7.0, width_in=width_in).draw(page, _MARGIN_IN, (1 - bottom + _CAPTION_BELOW) * A4_PORTRAIT_IN[1], width_in)
            _footer(page, report)
            pdf.savefig(page)
    return path


def _footer(page: Figure, report: Report) -> None:
    if report.footer:
        page.text(0.5, 0.015, report.footer, ha="center", fontsize=6, color="#555555")


def _text_blocks(report: Report, width_in: float) -> list[Block]:
    blocks = [text_block(report.title, 16.0, weight="bold", width_in=width_in, gap_in=0.1)]
    if report.headline is not None:
        blocks.append(headline_block(report.headline, width_in))
    blocks += [pair_block(label, value, width_in=width_in) for label, value in report.header]
    blocks += [text_block(f"! {notice}", 8.5, colour=FLAG_COLOUR, width_in=width_in, gap_in=0.0) for notice in report.notices]
    for table in report.tables:
        for start in range(0, max(len(table.rows), 1), _ROWS_PER_PAGE):
            blocks += table_blocks(Table(table.title, table.columns, table.rows[start : start + _ROWS_PER_PAGE], table.note), width_in)
    return blocks


def _text_pages(report: Report) -> list[Figure]:
    """Title, headline, header, notices and tables, paginated onto A4 pages."""
    width_in = A4_PORTRAIT_IN[0] - 2 * _MARGIN_IN
    pages: list[Figure] = []
    page, y = None, 0.0
    for block in _text_blocks(report, width_in):
        if page is None or y + block.height_in > A4_PORTRAIT_IN[1] - _BOTTOM_IN:
            page = Figure(figsize=A4_PORTRAIT_IN)
            _footer(page, report)
            pages.append(page)
            y = _TOP_IN
        block.draw(page, _MARGIN_IN, y, width_in)
        y += block.height_in
    return pages


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:2rem auto;color:#111;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #bbb;padding:.2rem .45rem;text-align:right}
th{background:#eee}td:first-child,th:first-child{text-align:left}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{flex:1 1 14rem;border:2px solid;border-radius:.5rem;padding:.5rem .8rem;background:#f6f6f6}
.card .label{font-weight:700}.card .value{font-size:1.8rem;font-weight:700;margin:.1rem 0}.card p{margin:.1rem 0;font-size:.85rem}
.flag{color:#b00000;font-weight:700}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
.notice{color:#a00000}figure{margin:1.5rem 0}img{max-width:100%}figcaption,.note{font-size:.8rem;color:#444}
footer{margin-top:2rem;font-size:.75rem;color:#555}@media print{figure{break-inside:avoid}}
"""


def _html(report: Report, pngs: dict[str, bytes]) -> str:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(report.title)}</h1>",
    ]
    if report.headline is not None:
        parts.append(_html_headline(report.headline))
    parts.append("<dl>")
    parts += [f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in report.header]
    parts.append("</dl>")
    parts += [f'<p class="notice">{esc(n)}</p>' for n in report.notices]
    for table in report.tables:
        parts.append(f"<h2>{esc(table.title)}</h2><table><thead><tr>")
        parts += [f"<th>{esc(c)}</th>" for c in table.columns]
        parts.append("</tr></thead><tbody>")
        for row in table.rows:
            parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
        if table.note:
            parts.append(f'<p class="note">{esc(table.note)}</p>')
    for panel in report.panels:
        data = base64.b64encode(pngs[panel.key]).decode("ascii")
        parts.append(
            f'<figure id="{esc(panel.key)}"><h2>{esc(panel.title)}</h2>'
            f'<img alt="{esc(panel.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(panel.caption)}</figcaption></figure>"
        )
    parts.append(f"<footer>{esc(report.footer)}</footer></body></html>")
    return "\n".join(parts)


def _html_headline(headline: Headline) -> str:
    esc = html.escape
    parts = [f'<section><h2>{esc(headline.title)}</h2><div class="cards">']
    for card in headline.cards:
        parts.append(
            f'<div class="card" style="border-color:{esc(card.colour)}"><div class="label" style="color:{esc(card.colour)}">{esc(card.label)}</div>'
            f'<div class="value">{esc(card.value)}</div>'
        )
        if card.emphasis:
            parts.append(f"<p><strong>{esc(card.emphasis)}</strong></p>")
        parts += [f"<p>{esc(line)}</p>" for line in card.lines]
        parts += [f'<p class="flag">{esc(flag)}</p>' for flag in card.flags]
        parts.append("</div>")
    parts.append("</div>")
    parts += [f'<p class="flag">{esc(flag)}</p>' for flag in headline.flags]
    if headline.note:
        parts.append(f'<p class="note">{esc(headline.note)}</p>')
    parts.append("</section>")
    return "".join(parts)
