"""Footprints in space and time.

Segmentation (:class:`FootstepSegmenter`):

1. Loaded cells are pooled into blocks of about ``join_along_mm`` along the walking axis
   and labelled as connected regions of (frame, block), all neighbours connected, the
   cells' position across the walking axis set aside. A footprint riding a treadmill belt
   moves a few cells a frame but overlaps itself from frame to frame, so it stays one
   region; cells of one foot a block apart (toes apart from the forefoot) join; feet on
   the mat at once (walking double support) lie a step apart along the walking axis and
   stay apart. Frames with nothing loaded are skipped (a contact ends there), which keeps
   the labelled volume small. A region wider than a foot (180 mm) across the walking
   axis, or with an empty lane wider than ``join_across_mm`` inside it (two feet side by
   side, a noise blob beside a foot), or with a lane across loaded in fewer than
   ``min_frames`` frames (sensor noise strung to the foot; such lanes count as empty), is
   labelled again in (frame, block across, block along), blocks of about
   ``join_across_mm`` across.
2. Regions larger than ``min_area_cm2`` in fewer than ``min_frames`` frames are noise
   (on a coarse noisy mat a few noisy cells may exceed the area once, not for long).
3. Regions that overlap in time by at least half the shorter one, or that overlap and
   start within a quarter of the longer one's duration of each other (a brief heel
   contact, then the forefoot: a footstep's second part lands early in its first's; the
   next foot in walking lands at 70-85 % of the first one's stance), and whose centres,
   over the frames they share, lie within ``merge_mm`` along the walking axis and
   ``merge_mm / 4`` across it are parts of one foot (heel and forefoot of a high arch) and
   are merged.
4. Footprints whose peak force is under ``min_peak_frac`` of the typical footprint's are
   noise blobs and dropped (typical: the median over the footprints that reach
   ``min_peak_frac`` of the strongest one, so that many small blobs cannot lower it).

Which foot made each footprint: :mod:`gait_metrics.sides`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gait_metrics.config import DEFAULTS
from gait_metrics.cop import LoadedCells
from mat_driver.model import Geometry

__all__ = ["Footprints", "FootstepSegmenter"]

_BLOCK_BUDGET = 8_000_000  # voxels of the pooled volume labelled at a time
FOOT_MAX_WIDTH_MM = 180.0  # a region wider than this across the walking axis is not one foot


@dataclass(frozen=True, eq=False)
class Footprints:
    """Voxels of every footprint, grouped by footprint (in order of first frame), then frame.

    ``step`` is the footprint index of each voxel; ``bounds`` (n + 1) the voxel offsets of
    each footprint; ``first_frame`` / ``last_frame`` its frame range; ``touches_edge`` true
    when a loaded cell lies on the mat's outermost rows or columns.
    """

    step: np.ndarray
    frame: np.ndarray
    cell: np.ndarray
    pressure: np.ndarray
    saturated: np.ndarray
    bounds: np.ndarray
    first_frame: np.ndarray
    last_frame: np.ndarray
    touches_edge: np.ndarray
    n_frames: int
    geometry: Geometry

    def __len__(self) -> int:
        return int(self.first_frame.size)

    @classmethod
    def empty(cls, n_frames: int, geometry: Geometry) -> "Footprints":
        """No footprints at all."""
        none = np.zeros(0, np.int64)
        return cls(none, none, none, np.zeros(0, np.float32), np.zeros(0, bool), np.zeros(1, np.int64), none, none, np.zeros(0, bool), n_frames, geometry)

    @property
    def n_voxels(self) -> int:
        """Loaded (frame, cell) pairs over all footprints."""
        return int(self.step.size)

    def room_along_mm(self) -> np.ndarray:
        """Per footprint, the mat left beyond its loaded cells along the walking axis (mm):
        from its rearmost cell to the mat's rear end or from its foremost cell to the front
        end, whichever is less. A part of the foot can only have missed the mat within it.
        """
        if not len(self):
            return np.zeros(0)
        along, _ = _along_across(self.cell, self.geometry)
        pitch = self.geometry.pitch_along_mm
        n_along = self.geometry.cells_along
        starts = self.bounds[:-1]
        rear = np.minimum.reduceat(along, starts)
        front = np.maximum.reduceat(along, starts)
        return np.minimum(rear, n_along - 1 - front) * pitch


def _along_across(cell: np.ndarray, geometry: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Cell index along and across the walking axis of each flat cell index."""
    row, col = np.indices(geometry.shape).reshape(2, -1)
    along, across = (col, row) if geometry.walk_axis == "cols" else (row, col)
    return np.take(along, cell), np.take(across, cell)


def _label_volume(voxel_slice: np.ndarray, plane: np.ndarray, n_slices: int, plane_shape: tuple[int, ...]) -> np.ndarray:
    """Connected components (all neighbours, time included) of voxels at ``(slice, plane)``.

    ``voxel_slice`` must not decrease; ``plane`` is the flat index within one slice of
    shape ``plane_shape``. The volume is labelled in blocks of slices overlapping by one,
    joined afterwards, so memory stays bounded. Returns compact ids from 0.
    """
    size = int(np.prod(plane_shape))
    per_block = max(2, _BLOCK_BUDGET // size)
    structure = np.ones((3,) * (1 + len(plane_shape)), bool)
    labels = np.empty(voxel_slice.size, np.int64)
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    offset, start = 0, 0
    previous: np.ndarray | None = None  # labels of the previous block's last slice
    while True:
        stop = min(n_slices, start + per_block)
        lo, hi = np.searchsorted(voxel_slice, [start, stop])
        local = (voxel_slice[lo:hi] - start) * size + plane[lo:hi]
        volume = np.zeros((stop - start) * size, bool)
        volume[local] = True
        block, count = ndimage.label(volume.reshape(stop - start, *plane_shape), structure=structure)
        found = labels[lo:hi]
        found[:] = np.take(block.ravel(), local)
        found += offset - 1
        if previous is not None:  # this block's first slice is the previous block's last
            pairs.append((previous, found[: np.searchsorted(voxel_slice, start + 1) - lo]))
        offset += count
        if stop == n_slices:
            break
        previous = found[np.searchsorted(voxel_slice, stop - 1) - lo :].copy()
        start = stop - 1
    if pairs:
        a, b = np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])
        graph = coo_matrix((np.ones(a.size), (a, b)), shape=(offset, offset))
        labels = connected_components(graph, directed=False)[1][labels]
    return labels


def _stable_order(keys: np.ndarray) -> np.ndarray | None:
    """The stable sorting order of ``keys``, or None when they are sorted already."""
    if keys.size < 2 or bool(np.all(keys[1:] >= keys[:-1])):
        return None
    return np.argsort(keys, kind="stable")


class _Groups:
    """Voxels sorted by a group id; per-(group, frame) runs and their sums."""

    def __init__(self, group: np.ndarray, frame: np.ndarray) -> None:
        self.order = _stable_order(group)
        g, f = (group, frame) if self.order is None else (group[self.order], frame[self.order])
        new_run = np.r_[True, (g[1:] != g[:-1]) | (f[1:] != f[:-1])] if g.size else np.zeros(0, bool)
        self.run_start = np.flatnonzero(new_run)
        self.run_group = g[self.run_start]
        self.run_frame = f[self.run_start]
        new_group = np.r_[True, self.run_group[1:] != self.run_group[:-1]] if g.size else np.zeros(0, bool)
        self.group_run_start = np.flatnonzero(new_group)
        self.groups = self.run_group[self.group_run_start]

    def run_sum(self, values: np.ndarray) -> np.ndarray:
        if not self.run_start.size:
            return np.zeros(0)
        return np.add.reduceat(values if self.order is None else values[self.order], self.run_start, dtype=np.float64)

    def per_group(self, ufunc: np.ufunc, run_values: np.ndarray) -> np.ndarray:
        return ufunc.reduceat(run_values, self.group_run_start) if self.group_run_start.size else np.zeros(0)


class FootstepSegmenter:
    """Segment footprints in space and time (see the module docstring).

    Parameters
    ----------
    join_along_mm, join_across_mm, merge_mm, min_frames, min_area_cm2, min_peak_frac
        As in :class:`gait_metrics.AnalysisConfig`.

    Attributes
    ----------
    footprints_ : Footprints
        The footprints found by :meth:`segment`.
    n_noise_blobs_ : int
        Regions dropped as noise.

    Examples
    --------
    >>> from mat_driver.model import Geometry
    >>> p = np.zeros((12, 10, 30))
    >>> p[1:6, 2:6, 2:10] = 100.0   # one foot ...
    >>> p[6:11, 2:6, 18:26] = 100.0  # ... then another, further on
    >>> p[3, 9, 29] = 50.0           # a noise blip
    >>> cells = LoadedCells.from_pressure(p, Geometry(10, 30, 8.5, 8.5), noise_kpa=5.0)
    >>> seg = FootstepSegmenter().segment(cells)
    >>> seg.footprints_.first_frame.tolist(), seg.n_noise_blobs_
    ([1, 6], 1)
    """

    def __init__(
        self,
        *,
        join_along_mm: float = DEFAULTS.join_along_mm,
        join_across_mm: float = DEFAULTS.join_across_mm,
        merge_mm: float = DEFAULTS.merge_mm,
        min_frames: int = DEFAULTS.min_frames,
        min_area_cm2: float = DEFAULTS.min_area_cm2,
        min_peak_frac: float = DEFAULTS.min_peak_frac,
    ) -> None:
        self.join_along_mm = join_along_mm
        self.join_across_mm = join_across_mm
        self.merge_mm = merge_mm
        self.min_frames = min_frames
        self.min_area_cm2 = min_area_cm2
        self.min_peak_frac = min_peak_frac

    def segment(self, cells: LoadedCells) -> "FootstepSegmenter":
        """Find the footprints among ``cells``; results in ``footprints_``."""
        geometry = cells.geometry
        if len(cells) == 0:
            self.footprints_, self.n_noise_blobs_ = Footprints.empty(cells.n_frames, geometry), 0
            return self
        groups = _Groups(self._label(cells), cells.frame)
        cells_per_run = np.diff(np.r_[groups.run_start, len(cells)])
        runs_per_group = np.diff(np.r_[groups.group_run_start, groups.run_start.size])
        min_cells = self.min_area_cm2 * 100.0 / geometry.cell_area_mm2
        solid = groups.per_group(np.add, (cells_per_run >= min_cells).astype(np.int64)) >= self.min_frames
        sums = np.column_stack([groups.run_sum(cells.pressure), *(groups.run_sum(w) for w in cells.weighted_positions)])
        footprint, weak = self._merge(groups, sums, solid)
        self.footprints_ = self._build(cells, groups, np.repeat(footprint, runs_per_group), cells_per_run)
        self.n_noise_blobs_ = int(np.count_nonzero(~solid)) + weak
        return self

    # -- labelling ----------------------------------------------------------------------
    def _label(self, cells: LoadedCells) -> np.ndarray:
        """Connected region of every voxel (ids roughly in order of first frame)."""
        geometry = cells.geometry
        pitch_along, pitch_across = geometry.pitch_along_mm, geometry.pitch_across_mm
        block_along = max(1, int(self.join_along_mm // pitch_along))
        block_across = max(1, int(self.join_across_mm // pitch_across))
        along, across = _along_across(cells.cell, geometry)
        n_along = geometry.cells_along // block_along + 1
        n_across_cells = geometry.cells_across
        # frames with loads, one empty slice wherever frames without load lie between them
        frame = cells.frame
        new_frame = np.r_[True, frame[1:] != frame[:-1]]
        active = frame[new_frame]
        slice_of_active = np.arange(active.size) + np.cumsum(np.r_[0, np.diff(active) > 1])
        voxel_slice = np.repeat(slice_of_active, np.diff(np.r_[np.flatnonzero(new_frame), frame.size]))
        coarse_along = along // block_along
        # stage 1: (time, along the walking axis); a footprint is one run of blocks per frame
        labels = _label_volume(voxel_slice, coarse_along, int(slice_of_active[-1]) + 1, (n_along,))
        # stage 2: regions wider than a foot, with a lateral gap, or with stray cells (a lane
        # loaded in fewer than min_frames frames, away from the foot: noise) are labelled in 3-D
        n = int(labels.max()) + 1
        lane_count = np.bincount(labels * n_across_cells + across, minlength=n * n_across_cells).reshape(n, n_across_cells)
        occupied = lane_count >= self.min_frames
        near = ndimage.maximum_filter1d(occupied, 2 * block_across + 1, axis=1)  # a foot's own edge
        stray = ((lane_count > 0) & ~near).any(axis=1)
        first = np.argmax(occupied, axis=1)
        last = n_across_cells - 1 - np.argmax(occupied[:, ::-1], axis=1)
        gap_cells = block_across + 1
        inside = (np.arange(n_across_cells) >= first[:, None]) & (np.arange(n_across_cells) <= last[:, None])
        empty = inside & ~occupied
        gapped = np.zeros(n, bool)
        if n_across_cells >= gap_cells:
            gapped = np.lib.stride_tricks.sliding_window_view(empty, gap_cells, axis=1).all(axis=2).any(axis=1)
        wide = gapped | stray | ((last - first + 1) * pitch_across > FOOT_MAX_WIDTH_MM)
        for region in np.flatnonzero(wide):
            members = np.flatnonzero(labels == region)
            start = voxel_slice[members[0]]
            plane = (across[members] // block_across) * n_along + coarse_along[members]
            n_across = n_across_cells // block_across + 1
            local = _label_volume(voxel_slice[members] - start, plane, int(voxel_slice[members[-1]] - start) + 1, (n_across, n_along))
            labels[members] = np.where(local == 0, region, n + local - 1)
            n += int(local.max())
        return labels

    # -- merging parts of one foot ----------------------------------------------------------
    def _merge(self, groups: _Groups, sums: np.ndarray, solid: np.ndarray) -> tuple[np.ndarray, int]:
        """Footprint id of every group (-1 for noise), parts of one foot merged, weak ones
        dropped; and the number of weak footprints dropped."""
        n = groups.groups.size
        run_end = np.r_[groups.group_run_start[1:], groups.run_start.size]
        first = groups.run_frame[groups.group_run_start]
        last = groups.run_frame[run_end - 1]
        candidates = np.flatnonzero(solid)
        candidates = candidates[np.argsort(first[candidates], kind="stable")]
        cumulative = np.cumsum(np.vstack([np.zeros((1, 3)), sums]), axis=0)
        pairs_a, pairs_b = [], []
        stops = np.searchsorted(first[candidates], last[candidates], side="right")
        for rank in np.flatnonzero(stops > np.arange(candidates.size) + 1):
            i = candidates[rank]
            for j in candidates[rank + 1 : stops[rank]]:
                lo, hi = max(first[i], first[j]), min(last[i], last[j])
                shorter = min(last[i] - first[i], last[j] - first[j]) + 1
                longer = max(last[i] - first[i], last[j] - first[j]) + 1
                if hi - lo + 1 < 0.5 * shorter and first[j] - first[i] > 0.25 * longer:
                    continue
                ci = self._centre(groups, cumulative, i, lo, hi)
                cj = self._centre(groups, cumulative, j, lo, hi)
                if abs(ci[0] - cj[0]) < self.merge_mm and abs(ci[1] - cj[1]) < 0.25 * self.merge_mm:
                    pairs_a.append(i)
                    pairs_b.append(j)
        graph = coo_matrix((np.ones(len(pairs_a)), (pairs_a, pairs_b)), shape=(n, n))
        component = connected_components(graph, directed=False)[1] if n else np.zeros(0, np.int64)
        footprint = np.where(solid, component, -1)
        run_fp = np.repeat(footprint, np.diff(np.r_[groups.group_run_start, groups.run_start.size]))
        keep = run_fp >= 0
        if not keep.any():
            return footprint, 0
        # peak force of each footprint: merged parts share frames, so add them per frame first
        frames = int(groups.run_frame.max()) + 1
        key, inverse = np.unique(run_fp[keep].astype(np.int64) * frames + groups.run_frame[keep], return_inverse=True)
        peak = np.zeros(n)
        np.maximum.at(peak, key // frames, np.bincount(inverse, weights=sums[keep, 0]))
        present = np.unique(run_fp[keep])
        strong = present[peak[present] >= self.min_peak_frac * peak[present].max()]
        weak = present[peak[present] < self.min_peak_frac * np.median(peak[strong])]
        footprint[np.isin(footprint, weak)] = -1
        return footprint, int(weak.size)

    @staticmethod
    def _centre(groups: _Groups, cumulative: np.ndarray, group: int, lo: int, hi: int) -> np.ndarray:
        """Pressure-weighted centre (x, y mm) of a group over frames ``lo..hi``."""
        start = groups.group_run_start[group]
        end = groups.group_run_start[group + 1] if group + 1 < groups.group_run_start.size else groups.run_start.size
        frames = groups.run_frame[start:end]
        a = start + np.searchsorted(frames, lo)
        b = start + np.searchsorted(frames, hi, side="right")
        total = cumulative[b] - cumulative[a]
        return total[1:] / max(total[0], 1e-12)

    # -- output ----------------------------------------------------------------------------------
    def _build(self, cells: LoadedCells, groups: _Groups, run_footprint: np.ndarray, cells_per_run: np.ndarray) -> Footprints:
        geometry = cells.geometry
        valid = run_footprint >= 0
        kept = np.unique(run_footprint[valid])
        run_rank = np.full(run_footprint.size, -1, np.int64)
        if kept.size:  # number footprints by first frame
            first = np.full(int(kept.max()) + 1, np.iinfo(np.int64).max)
            np.minimum.at(first, run_footprint[valid], groups.run_frame[valid])
            rank = np.full(first.size, -1, np.int64)
            rank[kept[np.argsort(first[kept], kind="stable")]] = np.arange(kept.size)
            run_rank[valid] = rank[run_footprint[valid]]
        in_order = np.repeat(run_rank, cells_per_run)
        voxel_fp = in_order if groups.order is None else np.empty_like(in_order)
        if groups.order is not None:
            voxel_fp[groups.order] = in_order
        order: np.ndarray | None = None  # None: every voxel kept, already in footprint order
        if groups.order is not None or not valid.all() or _stable_order(run_rank) is not None:
            order = np.flatnonzero(voxel_fp >= 0)
            within = _stable_order(voxel_fp[order])
            if within is not None:
                order = order[within]

        def take(values: np.ndarray) -> np.ndarray:
            return values if order is None else values[order]

        step = take(voxel_fp)
        bounds = np.searchsorted(step, np.arange(kept.size + 1)).astype(np.int64)
        frame, cell = take(cells.frame), take(cells.cell)
        border = np.ones(geometry.shape, bool)
        border[1:-1, 1:-1] = False
        edge = np.take(border.ravel(), cell)
        some = kept.size > 0
        return Footprints(
            step=step,
            frame=frame,
            cell=cell,
            pressure=take(cells.pressure),
            saturated=take(cells.saturated),
            bounds=bounds,
            first_frame=frame[bounds[:-1]].astype(np.int64) if some else np.zeros(0, np.int64),
            last_frame=frame[bounds[1:] - 1].astype(np.int64) if some else np.zeros(0, np.int64),
            touches_edge=np.maximum.reduceat(edge, bounds[:-1]) if some else np.zeros(0, bool),
            n_frames=cells.n_frames,
            geometry=geometry,
        )
