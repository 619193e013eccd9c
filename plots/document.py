"""Assemble a report from tables and figure panels: A4 PDF, self-contained HTML, PNGs.

A :class:`Panel` knows how to draw itself on a list of axes; the same panel is drawn on
the A4 pages of the PDF (two panels a page) and on a figure of its own for the PNG and the
HTML page, so every output shows the same picture.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from mat_driver.paths import make_folder  # noqa: E402
from plots.style import A4_PORTRAIT_IN  # noqa: E402

__all__ = ["Table", "Panel", "Report", "REPORT_FORMATS", "write_report", "render_panel"]

#: Output formats of :func:`write_report`.
REPORT_FORMATS = ("pdf", "html", "png")

_ROWS_PER_PAGE = 32
_PNG_SIZE_IN = (8.0, 4.2)
_DPI = 150


@dataclass(frozen=True)
class Table:
    """A titled table of already formatted cells."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    note: str = ""


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
    """Everything a report shows, in order."""

    title: str
    header: Sequence[tuple[str, str]]
    notices: Sequence[str] = ()
    tables: Sequence[Table] = ()
    panels: Sequence[Panel] = ()
    footer: str = ""
    extra: dict = field(default_factory=dict)


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
    with PdfPages(path, metadata={"Title": report.title, "Creator": "pressure-mat"}) as pdf:
        for page in _text_pages(report):
            pdf.savefig(page)
        panels = list(report.panels)
        for start in range(0, len(panels), 2):
            page = Figure(figsize=A4_PORTRAIT_IN)
            for slot, panel in enumerate(panels[start : start + 2]):
                bottom = 0.55 - 0.48 * slot
                page.text(0.07, bottom + 0.4, panel.title, fontsize=11, weight="bold")
                render_panel(panel, page, rect=(0.1, bottom, 0.82, 0.36))
                if panel.caption:
                    page.text(0.07, bottom - 0.06, panel.caption, fontsize=7, wrap=True)
            _footer(page, report)
            pdf.savefig(page)
    return path


def _footer(page: Figure, report: Report) -> None:
    if report.footer:
        page.text(0.5, 0.015, report.footer, ha="center", fontsize=6, color="#555555")


def _text_pages(report: Report) -> list[Figure]:
    """Title, header, notices and tables, paginated onto A4 pages."""
    lines: list[tuple[str, object]] = [("title", report.title)]
    lines += [("kv", pair) for pair in report.header]
    lines += [("notice", notice) for notice in report.notices]
    for table in report.tables:
        for start in range(0, max(len(table.rows), 1), _ROWS_PER_PAGE):
            lines.append(("table", Table(table.title, table.columns, table.rows[start : start + _ROWS_PER_PAGE], table.note)))
    pages: list[Figure] = []
    page, y = None, 0.0
    for kind, item in lines:
        height = 0.05 if kind == "title" else 0.022
        if kind == "table":
            height = 0.06 + 0.019 * (len(item.rows) + 1)  # type: ignore[union-attr]
        if page is None or y - height < 0.05:
            page = Figure(figsize=A4_PORTRAIT_IN)
            _footer(page, report)
            pages.append(page)
            y = 0.96
        if kind == "title":
            page.text(0.07, y - 0.03, str(item), fontsize=16, weight="bold")
        elif kind == "kv":
            label, value = item  # type: ignore[misc]
            page.text(0.07, y - 0.015, f"{label}:", fontsize=9, weight="bold")
            page.text(0.3, y - 0.015, value, fontsize=9)
        elif kind == "notice":
            page.text(0.07, y - 0.015, f"! {item}", fontsize=9, color="#B00000")
        else:
            _draw_table(page, item, top=y, height=height)  # type: ignore[arg-type]
        y -= height
    return pages


def _draw_table(page: Figure, table: Table, *, top: float, height: float) -> None:
    page.text(0.07, top - 0.03, table.title, fontsize=10, weight="bold")
    ax = page.add_axes((0.07, top - height + 0.005, 0.86, height - 0.04))
    ax.axis("off")
    if not table.rows:
        ax.text(0, 0.5, "no data", fontsize=8)
        return
    n = len(table.columns)
    widths = [0.3] + [0.7 / (n - 1)] * (n - 1) if n > 1 else [1.0]
    drawn = ax.table(cellText=[list(r) for r in table.rows], colLabels=list(table.columns), loc="upper center", cellLoc="right", colWidths=widths)
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(6.5)
    drawn.scale(1.0, 1.0)
    for (row, col), cell in drawn.get_celld().items():
        cell.set_edgecolor("#BBBBBB")
        if row == 0:
            cell.set_text_props(weight="bold", wrap=True)
            cell.set_facecolor("#EEEEEE")
        if col == 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.02


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:2rem auto;color:#111;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #bbb;padding:.2rem .45rem;text-align:right}
th{background:#eee}td:first-child,th:first-child{text-align:left}
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
        f"<h1>{esc(report.title)}</h1><dl>",
    ]
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
