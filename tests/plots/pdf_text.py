"""Text boxes of a PDF page as drawn: one box per run of text (pdfminer.six)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

_TOUCH_PT = 0.5  # runs of one line split by a glyph outside the font's first 256 join up


@dataclass
class TextBox:
    """A run of text and its box in points (x0, y0, x1, y1), PDF coordinates."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "TextBox", tolerance_pt: float = 0.05) -> bool:
        return min(self.x1, other.x1) - max(self.x0, other.x0) > tolerance_pt and min(self.y1, other.y1) - max(self.y0, other.y0) > tolerance_pt


class _Runs(PDFPageAggregator):
    """Collects the characters of each text-showing operator as one run."""

    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources, laparams=None)
        self.runs: list[TextBox] = []

    def render_string(self, textstate, seq, ncs, graphicstate) -> None:  # noqa: ANN001 (pdfminer's signature)
        start = len(self.cur_item._objs)
        super().render_string(textstate, seq, ncs, graphicstate)
        chars = [o for o in self.cur_item._objs[start:] if isinstance(o, LTChar)]
        if not chars:
            return
        box = TextBox(
            "".join(c.get_text() for c in chars), min(c.x0 for c in chars), min(c.y0 for c in chars), max(c.x1 for c in chars), max(c.y1 for c in chars)
        )
        last = self.runs[-1] if self.runs else None
        if last and abs(last.y0 - box.y0) < 0.01 and abs(last.y1 - box.y1) < 0.01 and abs(box.x0 - last.x1) < _TOUCH_PT:
            last.text, last.x1 = last.text + box.text, box.x1
        else:
            self.runs.append(box)


def page_text_boxes(pdf: Path) -> list[tuple[tuple[float, float, float, float], list[TextBox]]]:
    """Per page: its media box and its runs of text, in drawing order."""
    pages = []
    with pdf.open("rb") as file:
        resources = PDFResourceManager()
        for page in PDFPage.get_pages(file):
            device = _Runs(resources)
            PDFPageInterpreter(resources, device).process_page(page)
            pages.append((tuple(page.mediabox), device.runs))
    return pages


def overlapping(boxes: list[TextBox]) -> list[tuple[str, str]]:
    """Pairs of runs whose boxes overlap."""
    return [(a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
