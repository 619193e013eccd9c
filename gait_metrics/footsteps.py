"""Footprints in space and time, and which foot made each.

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
3. Regions that overlap in time by at least half the shorter one and whose centres, over
   the frames they share, lie within ``merge_mm`` along the walking axis and
   ``merge_mm / 4`` across it are parts of one foot (heel and forefoot of a high arch) and
   are merged.
4. Footprints whose peak force is under ``min_peak_frac`` of the typical footprint's are
   noise blobs and dropped (typical: the median over the footprints that reach
   ``min_peak_frac`` of the strongest one, so that many small blobs cannot lower it).

Sides (:func:`assign_sides`): the line of progression of each pass over the mat runs
through the mean heel position along the direction of progression; a heel on the walker's
left of it is a left foot, provided the heels form two lines (:func:`_lines`: they
alternate from side to side and lie at least 30 mm apart) and the session is not
one-footed (:func:`_one_footed`: the feet's shapes fit one foot better than the lines)
or the lines lie clearly apart (:func:`_separation`); else the foot's own shape
decides (its midfoot contact lies lateral to its axis, to the left of a left foot's
axis), so one-foot hops keep one side. A side is confident only when line, alternation and shape
agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gait_metrics.cop import LoadedCells
from mat_driver.model import Geometry

__all__ = ["Footprints", "FootstepSegmenter", "walking_passes", "progression_directions", "assign_sides"]

_BLOCK_BUDGET = 8_000_000  # voxels of the pooled volume labelled at a time
FOOT_MAX_WIDTH_MM = 180.0  # a region wider than this across the walking axis is not one foot
MIN_STEP_WIDTH_MM = 30.0  # left and right heel lines closer than this cannot be told apart
LINE_MIN_STEPS = 3  # feet with a shape on each line before the lines may overrule the shapes
LINE_SEPARATION = 4.0  # ... and the lines' distance over the heels' spread about their line


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
        pitch, _ = _pitches(self.geometry)
        n_along = self.geometry.cols if self.geometry.walk_axis == "cols" else self.geometry.rows
        starts = self.bounds[:-1]
        rear = np.minimum.reduceat(along, starts)
        front = np.maximum.reduceat(along, starts)
        return np.minimum(rear, n_along - 1 - front) * pitch


def _along_across(cell: np.ndarray, geometry: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Cell index along and across the walking axis of each flat cell index."""
    row, col = np.indices(geometry.shape).reshape(2, -1)
    along, across = (col, row) if geometry.walk_axis == "cols" else (row, col)
    return np.take(along, cell), np.take(across, cell)


def _pitches(geometry: Geometry) -> tuple[float, float]:
    """Cell pitch along and across the walking axis, mm."""
    if geometry.walk_axis == "cols":
        return geometry.pitch_col_mm, geometry.pitch_row_mm
    return geometry.pitch_row_mm, geometry.pitch_col_mm


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
        join_along_mm: float = 34.0,
        join_across_mm: float = 17.0,
        merge_mm: float = 220.0,
        min_frames: int = 3,
        min_area_cm2: float = 4.0,
        min_peak_frac: float = 0.2,
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
        pitch_along, pitch_across = _pitches(geometry)
        block_along = max(1, int(self.join_along_mm // pitch_along))
        block_across = max(1, int(self.join_across_mm // pitch_across))
        along, across = _along_across(cells.cell, geometry)
        n_along = (geometry.cols if geometry.walk_axis == "cols" else geometry.rows) // block_along + 1
        n_across_cells = geometry.rows if geometry.walk_axis == "cols" else geometry.cols
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
                if hi - lo + 1 < 0.5 * shorter:
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


def walking_passes(axis: np.ndarray, ic_s: np.ndarray, *, pause_s: float = 2.0) -> np.ndarray:
    """Pass number of every step over the mat.

    Steps in order of initial contact form one pass until a pause longer than ``pause_s``
    or a change of walking direction (the sign of the foot axis along ``x``).

    Examples
    --------
    >>> axes = np.array([[1.0, 0.1], [1.0, -0.1], [-1.0, 0.1]])
    >>> walking_passes(axes, np.array([0.0, 0.5, 4.0])).tolist()
    [0, 0, 1]
    """
    number = np.zeros(len(ic_s), np.int64)
    if len(ic_s) == 0:
        return number
    order = np.argsort(np.nan_to_num(ic_s, nan=np.inf), kind="stable")
    forwards = axis[order, 0] >= 0
    breaks = np.r_[True, (np.diff(ic_s[order]) > pause_s) | (forwards[1:] != forwards[:-1])]
    number[order] = np.cumsum(breaks) - 1
    return number


def progression_directions(axis: np.ndarray, passes: np.ndarray, side: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Direction of progression (unit, mat frame) of every step's pass.

    The mean of the left feet's mean axis and the right feet's mean axis over the pass's
    usable steps, so that the toe-out of the two sides cancels; the mean axis of whatever
    steps there are when one side is missing.

    Examples
    --------
    >>> axes = np.array([[0.99, 0.14], [0.99, -0.14], [0.99, 0.14]])
    >>> progression_directions(axes, np.zeros(3, int), np.array([0, 1, 0]), np.ones(3, bool)).round(3).tolist()
    [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]
    """
    direction = np.zeros((len(passes), 2))
    for p in np.unique(passes):
        members = passes == p
        chosen = members & usable if (members & usable).any() else members
        means = [axis[chosen & (side == s)].mean(axis=0) for s in (0, 1) if (chosen & (side == s)).any()]
        mean = np.mean(means, axis=0) if means else axis[chosen].mean(axis=0)
        direction[members] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return direction


def _lines(offset: np.ndarray) -> bool:
    """Whether heels at ``offset`` (mm, left positive, in order of contact) form a left and
    a right line: offsets that change sign step by step, lying at least
    ``MIN_STEP_WIDTH_MM`` apart."""
    left, right = offset > 0, offset < 0
    if offset.size < 2 or not (left.any() and right.any()):
        return False
    apart = offset[left].mean() - offset[right].mean()
    return float(np.mean(np.diff(np.sign(offset)) != 0)) > 0.5 and apart >= MIN_STEP_WIDTH_MM


def _separation(offset: np.ndarray, shape: np.ndarray) -> float:
    """The lines' distance over the heels' spread about their line (one lane of hops split
    in halves: about 2.7); NaN unless both lines hold ``LINE_MIN_STEPS`` feet with a
    ``shape`` (0, 1; -1 for none)."""
    left, right = offset > 0, offset < 0
    if not all(np.count_nonzero(shape[line] >= 0) >= LINE_MIN_STEPS for line in (left, right)):
        return np.nan
    spread = np.sqrt(np.mean(np.r_[offset[left] - offset[left].mean(), offset[right] - offset[right].mean()] ** 2))
    return float((offset[left].mean() - offset[right].mean()) / max(spread, 1e-9))


def _one_footed(shape: np.ndarray, by_line: np.ndarray, lined: np.ndarray) -> bool:
    """Whether the feet's ``shape`` (0, 1; -1 for none) fits one foot better than the heel
    lines' sides ``by_line`` (on the steps in passes with lines, ``lined``): more feet
    there have the session's usual shape than their line's side. A tie keeps the lines,
    so that a walker whose only whole steps are right steps is not taken for a hopper."""
    votes = shape >= 0
    usual = int(np.count_nonzero(shape[votes] == 1) > np.count_nonzero(shape[votes] == 0))
    counted = votes & lined
    return np.count_nonzero(shape[counted] == usual) > np.count_nonzero(shape[counted] == by_line[counted])


def assign_sides(
    heel_mm: np.ndarray,
    ic_s: np.ndarray,
    lateral_mm: np.ndarray,
    passes: np.ndarray,
    direction: np.ndarray,
    *,
    margin_mm: float = 10.0,
    usable: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Side (0 left, 1 right) and confidence of every step.

    Parameters
    ----------
    heel_mm
        ``(n, 2)`` heel origin of each step at initial contact, mat frame.
    ic_s
        Initial contact times; alternation is checked in this order.
    lateral_mm
        Offset of each foot's midfoot contact to the left of its own axis (mm): the
        midfoot contact lies lateral, so a left foot has it positive, a right foot
        negative. NaN when the foot has no midfoot contact.
    passes, direction
        From :func:`walking_passes` and :func:`progression_directions`.
    margin_mm
        A heel closer than this to the line of progression gives no side by itself, and a
        midfoot contact closer than this to the foot's axis cannot overrule the lines.
    usable
        Steps whose shape may overrule the lines (default all); a footprint cut by the
        mat's edge has a misleading shape.

    Examples
    --------
    >>> heels = np.array([[0.0, 40.0], [600.0, -40.0], [1200.0, 42.0]])
    >>> ic = np.array([0.0, 0.55, 1.1])
    >>> passes, direction = np.zeros(3, int), np.tile([1.0, 0.0], (3, 1))
    >>> sides, sure = assign_sides(heels, ic, np.array([9.0, -8.0, 9.0]), passes, direction)
    >>> sides.tolist(), sure.tolist()
    ([0, 1, 0], [True, True, True])
    """
    n = len(ic_s)
    sides = np.zeros(n, np.int64)
    confident = np.zeros(n, bool)
    shape_side = np.where(np.isfinite(lateral_mm), (lateral_mm < 0).astype(np.int64), -1)
    clear_shape = np.abs(np.nan_to_num(lateral_mm)) >= margin_mm
    checks = np.where(clear_shape & (True if usable is None else usable), shape_side, -1)
    groups = []  # per pass, its steps in order of contact
    offset = np.zeros(n)
    lined = np.zeros(n, bool)
    for p in range(int(passes.max()) + 1 if n else 0):
        members = np.flatnonzero(passes == p)
        members = members[np.argsort(ic_s[members], kind="stable")]
        d = direction[members[0]]
        offset[members] = (heel_mm[members] - heel_mm[members].mean(axis=0)) @ np.array([-d[1], d[0]])
        lined[members] = _lines(offset[members])
        groups.append(members)
    by_line_all = np.where(offset > 0, 0, 1)
    # one-foot hops scatter into one lane whose halves may alternate by chance: when the
    # feet's shapes say one foot better than the lines say two, only lines clearly apart stand
    one_footed = _one_footed(checks, by_line_all, lined)
    for members in groups:
        clear = np.abs(offset[members]) > margin_mm
        by_line = by_line_all[members]
        by_shape = shape_side[members]
        separation = _separation(offset[members], checks[members])
        two_lines = bool(lined[members[0]]) and (not one_footed or separation >= LINE_SEPARATION)
        use_line = clear & two_lines
        known = by_shape[by_shape >= 0]
        fallback = by_line if two_lines or known.size == 0 else np.full(members.size, int(np.mean(known) > 0.5))
        chosen = np.where(use_line, by_line, np.where(by_shape >= 0, by_shape, fallback))
        # a foot placed across the line (a crossover): where its shape disagrees with the
        # line and both neighbours already lie on the line's side, shape and alternation win
        before, after = np.r_[-1, chosen[:-1]], np.r_[chosen[1:], -1]
        neighbours_agree = ((before == by_line) | (before < 0)) & ((after == by_line) | (after < 0)) & (members.size > 1)
        chosen = np.where(use_line & (by_shape >= 0) & (by_shape != by_line) & neighbours_agree, by_shape, chosen)
        # narrow, scattered lines (under LINE_SEPARATION times their spread, judged on enough
        # steps): a foot's clear shape outweighs its heel's side of the line
        if separation < LINE_SEPARATION:
            chosen = np.where(checks[members] >= 0, checks[members], chosen)
        alternates = np.ones(members.size, bool)
        if members.size > 1:
            differs = chosen[1:] != chosen[:-1]
            alternates[1:] &= differs
            alternates[:-1] &= differs
        sides[members] = chosen
        confident[members] = use_line & (by_line == chosen) & alternates & (by_shape == chosen)
    return sides, confident
