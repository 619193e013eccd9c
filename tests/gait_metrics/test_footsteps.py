"""Footprint segmentation and sides on hand-built frames whose answer is known."""

from __future__ import annotations

import numpy as np

from gait_metrics.cop import LoadedCells
from gait_metrics.footsteps import FootstepSegmenter, assign_sides, progression_directions, walking_passes
from mat_driver.model import Geometry

GEOMETRY = Geometry(40, 80, 8.5, 8.5)  # 340 x 680 mm, walking along the columns


def segment(pressure: np.ndarray, **kwargs):
    cells = LoadedCells.from_pressure(pressure, GEOMETRY, noise_kpa=5.0)
    return FootstepSegmenter(**kwargs).segment(cells)


def frames(n: int = 40) -> np.ndarray:
    return np.zeros((n, GEOMETRY.rows, GEOMETRY.cols))


def footprint_frames(seg) -> list[list[int]]:
    fp = seg.footprints_
    return [sorted(set(fp.frame[fp.bounds[k] : fp.bounds[k + 1]].tolist())) for k in range(len(fp))]


def test_contacts_apart_in_time_are_two_footprints_in_order() -> None:
    p = frames()
    p[20:30, 10:20, 40:70] = 200.0  # the later one first in the array
    p[2:12, 22:32, 10:40] = 200.0
    seg = segment(p)
    assert seg.footprints_.first_frame.tolist() == [2, 20]
    assert seg.footprints_.last_frame.tolist() == [11, 29]
    assert footprint_frames(seg) == [list(range(2, 12)), list(range(20, 30))]
    fp = seg.footprints_
    assert np.all(np.diff(fp.step) >= 0) and fp.bounds.tolist() == [0, 3000, 6000]


def test_a_footprint_riding_the_belt_stays_one() -> None:
    p = frames(30)
    for k in range(25):  # moves 3 cells (25 mm) backwards every frame
        start = 75 - 3 * k - 30
        p[k + 2, 10:20, max(start, 0) : max(start + 30, 0)] = 150.0
    assert len(segment(p).footprints_) == 1


def test_toes_apart_from_the_forefoot_and_a_high_arch_stay_one_foot() -> None:
    p = frames()
    p[5:25, 10:20, 10:20] = 200.0  # heel
    p[8:30, 8:22, 30:42] = 300.0  # forefoot: 10 empty cells (85 mm) after the heel, a high arch
    p[15:30, 9:21, 43:47] = 100.0  # toes, one empty cell before them
    seg = segment(p)
    assert len(seg.footprints_) == 1 and seg.n_noise_blobs_ == 0
    assert seg.footprints_.first_frame.tolist() == [5] and seg.footprints_.last_frame.tolist() == [29]


def test_feet_at_once_apart_along_or_across_the_walking_axis_stay_apart() -> None:
    double_support = frames()
    double_support[5:25, 10:20, 5:35] = 200.0
    double_support[20:38, 22:32, 50:78] = 200.0  # a step ahead, overlapping in time
    assert len(segment(double_support).footprints_) == 2
    side_by_side = frames()
    side_by_side[5:35, 4:14, 20:50] = 200.0
    side_by_side[5:35, 22:32, 22:52] = 200.0  # 8 empty rows (68 mm) between the feet
    seg = segment(side_by_side)
    assert len(seg.footprints_) == 2
    rows = [sorted(set((seg.footprints_.cell[seg.footprints_.bounds[k] : seg.footprints_.bounds[k + 1]] // GEOMETRY.cols).tolist())) for k in range(2)]
    assert sorted(rows) == [list(range(4, 14)), list(range(22, 32))]


def test_noise_blobs_are_dropped_and_counted() -> None:
    p = frames()
    p[5:30, 10:20, 20:50] = 200.0  # a foot
    p[12, 35, 70] = 80.0  # a one-cell, one-frame blip
    p[3:9, 36:39, 2:5] = 40.0  # a small, weak and short blob
    p[20:26, 30:34, 60:66] = 6.0  # big enough, but its force is a fraction of the foot's
    seg = segment(p)
    assert len(seg.footprints_) == 1 and seg.n_noise_blobs_ == 3
    assert seg.footprints_.first_frame.tolist() == [5]


def test_footprints_on_the_edge_are_flagged() -> None:
    p = frames()
    p[5:15, 10:20, 0:20] = 200.0  # touches column 0
    p[20:30, 10:20, 30:50] = 200.0
    assert segment(p).footprints_.touches_edge.tolist() == [True, False]


def test_nothing_loaded_gives_no_footprints() -> None:
    seg = segment(frames(5))
    assert len(seg.footprints_) == 0 and seg.footprints_.n_voxels == 0 and seg.n_noise_blobs_ == 0


def test_sides_from_the_line_of_progression_alternation_and_shape() -> None:
    ic = np.arange(6) * 0.5
    heel = np.column_stack([ic * 1400.0, np.where(np.arange(6) % 2 == 0, 45.0, -45.0)])  # left first
    midfoot_left = np.where(np.arange(6) % 2 == 0, 20.0, -20.0)  # lateral: left of a left foot
    axis = np.tile([1.0, 0.0], (6, 1))
    passes = walking_passes(axis, ic)
    direction = progression_directions(axis, passes, np.full(6, -1), np.ones(6, bool))
    sides, sure = assign_sides(heel, ic, midfoot_left, passes, direction)
    assert sides.tolist() == [0, 1, 0, 1, 0, 1] and sure.all()
    # a foot whose shape disagrees with the line is still placed by the line, but not surely
    shape_wrong = midfoot_left.copy()
    shape_wrong[2] = -20.0
    sides, sure = assign_sides(heel, ic, shape_wrong, passes, direction)
    assert sides.tolist() == [0, 1, 0, 1, 0, 1] and sure.tolist() == [True, True, False, True, True, True]


def test_one_foot_only_falls_back_on_the_foot_shape_without_confidence() -> None:
    ic = np.arange(5) * 0.7
    heel = np.column_stack([np.zeros(5), 60.0 + np.array([3.0, -4.0, 12.0, -11.0, 2.0])])  # one lane
    axis = np.tile([1.0, 0.0], (5, 1))
    sides, sure = assign_sides(heel, ic, np.full(5, -15.0), np.zeros(5, int), axis)
    assert sides.tolist() == [1] * 5 and not sure.any()


def test_passes_split_at_pauses_and_turns_and_toe_out_cancels() -> None:
    axis = np.array([[0.99, 0.14], [0.99, -0.14], [0.99, 0.14], [-0.99, 0.14], [-0.99, -0.14]])
    ic = np.array([0.0, 0.5, 1.0, 4.0, 4.5])
    passes = walking_passes(axis, ic)
    assert passes.tolist() == [0, 0, 0, 1, 1]
    direction = progression_directions(axis, passes, np.array([0, 1, 0, 1, 0]), np.ones(5, bool))
    assert np.allclose(direction, [[1, 0], [1, 0], [1, 0], [-1, 0], [-1, 0]])
