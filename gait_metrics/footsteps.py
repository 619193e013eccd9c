"""Footprints in space and time.

Loaded cells are grown by ``merge_cells`` in space (toes apart from the forefoot join) and
labelled as connected regions in (frame, row, col): a footprint riding a treadmill belt
stays connected from frame to frame, and two feet on the mat at once stay apart. Frames are
processed in chunks; labels that touch across a chunk boundary are joined. Parts of one
foot that still come apart (heel and forefoot of a high arch) are merged when they overlap
in time and lie within ``merge_mm`` of each other along the walking axis and on the same
side. Small blobs are dropped as noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from gait_metrics.config import AnalysisConfig

__all__ = ["Footprint", "FootprintSegmenter"]


@dataclass(eq=False)
class Footprint:
    """The loaded cells of one foot contact: one entry per (frame, cell) voxel.

    ``frame`` are global frame indices, ``row``/``col`` grid indices, ``pressure`` the cell
    pressure (kPa or raw).
    """

    frame: np.ndarray
    row: np.ndarray
    col: np.ndarray
    pressure: np.ndarray

    @property
    def first(self) -> int:
        """First frame."""
        return int(self.frame.min())

    @property
    def last(self) -> int:
        """Last frame."""
        return int(self.frame.max())

    def per_frame(self, weights: np.ndarray) -> np.ndarray:
        """Sum of ``weights`` per frame from :attr:`first` to :attr:`last`."""
        return np.bincount(self.frame - self.first, weights=weights, minlength=self.last - self.first + 1)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, a: int) -> int:
        root = a
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(a, a) != root:
            self.parent[a], a = root, self.parent[a]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class FootprintSegmenter:
    """Label footprints chunk by chunk; call :meth:`add` in frame order, then :meth:`finish`.

    Parameters
    ----------
    config
        ``noise_kpa``, ``merge_cells``, ``merge_mm``, ``min_peak_frac``, ``min_frames``.
    """

    def __init__(self, config: AnalysisConfig) -> None:
        self.config = config
        self._next = 1
        self._links = _UnionFind()
        self._parts: dict[int, list[tuple[np.ndarray, ...]]] = {}
        self._previous: np.ndarray | None = None

    def add(self, start: int, pressure: np.ndarray) -> None:
        """Label the frames ``pressure`` ``(n, rows, cols)`` that begin at frame ``start``."""
        loaded = pressure > self.config.noise_kpa
        grown = loaded
        if self.config.merge_cells:  # a square dilation, as two cheap 1-D passes
            size = 2 * self.config.merge_cells + 1
            grown = ndimage.maximum_filter1d(loaded.view(np.uint8), size, axis=1)
            grown = ndimage.maximum_filter1d(grown, size, axis=2).view(bool)
        labels, count = ndimage.label(grown, structure=np.ones((3, 3, 3), bool))
        labels[labels > 0] += self._next - 1
        if self._previous is not None and count:
            touching = (self._previous > 0) & (labels[0] > 0)
            for a, b in set(zip(self._previous[touching].tolist(), labels[0][touching].tolist())):
                self._links.union(a, b)
        self._previous = labels[-1].copy()
        self._next += count
        frame, row, col = np.nonzero(loaded)
        if frame.size == 0:
            return
        label = labels[frame, row, col]
        order = np.argsort(label, kind="stable")
        label, frame, row, col = label[order], frame[order], row[order], col[order]
        values = pressure[frame, row, col].astype(np.float32)
        bounds = np.flatnonzero(np.diff(label)) + 1
        for part in zip(np.split(label, bounds), np.split(frame + start, bounds), np.split(row, bounds), np.split(col, bounds), np.split(values, bounds)):
            self._parts.setdefault(int(part[0][0]), []).append(part[1:])

    def finish(self, x_mm: np.ndarray, y_mm: np.ndarray) -> list[Footprint]:
        """Footprints sorted by first frame, with one foot's parts merged and noise dropped."""
        groups: dict[int, list[tuple[np.ndarray, ...]]] = {}
        for label, parts in self._parts.items():
            groups.setdefault(self._links.find(label), []).extend(parts)
        prints = [
            Footprint(*(np.concatenate([p[i] for p in parts]) for i in range(4)))
            for parts in groups.values()
        ]
        prints = self._merge_parts(prints, x_mm, y_mm)
        if not prints:
            return []
        peaks = np.array([fp.per_frame(fp.pressure).max() for fp in prints])
        frames = np.array([fp.last - fp.first + 1 for fp in prints])
        keep = (peaks >= self.config.min_peak_frac * np.median(peaks)) & (frames >= self.config.min_frames)
        return sorted((fp for fp, k in zip(prints, keep) if k), key=lambda fp: fp.first)

    def _merge_parts(self, prints: list[Footprint], x_mm: np.ndarray, y_mm: np.ndarray) -> list[Footprint]:
        """Join parts of one foot: overlapping in time, close along x, on the same side."""
        merged = True
        while merged and len(prints) > 1:
            merged = False
            prints.sort(key=lambda fp: fp.first)
            centres = [(np.average(x_mm[fp.row, fp.col], weights=fp.pressure), np.average(y_mm[fp.row, fp.col], weights=fp.pressure)) for fp in prints]
            for i in range(len(prints)):
                for j in range(i + 1, len(prints)):
                    a, b = prints[i], prints[j]
                    if b.first > a.last:
                        break  # sorted by first frame: no later part overlaps a
                    overlap = min(a.last, b.last) - max(a.first, b.first) + 1
                    shorter = min(a.last - a.first, b.last - b.first) + 1
                    close_x = abs(centres[i][0] - centres[j][0]) < self.config.merge_mm
                    close_y = abs(centres[i][1] - centres[j][1]) < 0.25 * self.config.merge_mm
                    if overlap >= 0.5 * shorter and close_x and close_y:
                        prints[i] = Footprint(*(np.concatenate([getattr(a, f), getattr(b, f)]) for f in ("frame", "row", "col", "pressure")))
                        del prints[j]
                        merged = True
                        break
                if merged:
                    break
        return prints
