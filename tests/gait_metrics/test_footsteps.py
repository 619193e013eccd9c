"""Footprint segmentation and sides on hand-built frames whose answer is known."""

from __future__ import annotations

import numpy as np

from gait_metrics.cop import LoadedCells
from gait_metrics.footsteps import FootstepSegmenter
from gait_metrics.sides import assign_sides, progression_directions, walking_passes
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


def test_hops_scattered_into_two_lanes_stay_on_one_foot() -> None:
    # one lane of right-foot hops (scatter about 20 mm) whose heels alternate sides of the
    # lane's middle by chance: the "lines" lie 34 mm apart, under 4 times their spread
    ic = np.arange(8) * 0.45
    heel = np.column_stack([ic * 1200.0, np.array([30.0, -5.0, 12.0, -28.0, 4.0, -14.0, 22.0, -21.0])])
    axis = np.tile([1.0, 0.0], (8, 1))
    sides, sure = assign_sides(heel, ic, np.full(8, -30.0), np.zeros(8, int), axis)
    assert sides.tolist() == [1] * 8 and not sure.any()


def test_lines_far_apart_outvote_shapes_that_all_say_one_foot() -> None:
    # walking, heels 100 mm apart with 5 mm scatter: the lines decide, the shapes only lower the confidence
    ic = np.arange(8) * 0.55
    heel = np.column_stack([ic * 1300.0, np.where(np.arange(8) % 2 == 0, 50.0, -50.0) + np.array([3, -4, 5, 2, -3, 4, -5, 1.0])])
    axis = np.tile([1.0, 0.0], (8, 1))
    sides, sure = assign_sides(heel, ic, np.full(8, 20.0), np.zeros(8, int), axis)
    assert sides.tolist() == [0, 1] * 4 and sure.tolist() == [True, False] * 4


def test_a_noise_cluster_beside_a_foot_is_not_merged_into_it() -> None:
    p = frames()
    p[5:35, 10:20, 20:45] = 200.0  # a foot
    # three frames of noise 8 cells ahead of its toes, 4.3 cm^2 in one of them
    p[18, 14:16, 52:55] = 8.0
    p[19, 15, 53] = p[20, 14, 54] = 8.0
    seg = segment(p)
    assert len(seg.footprints_) == 1 and seg.n_noise_blobs_ == 1
    fp = seg.footprints_
    assert (fp.cell % GEOMETRY.cols).max() == 44


def test_a_brief_strong_heel_touch_merges_with_the_forefoot() -> None:
    p = frames()
    p[5:9, 10:20, 10:20] = 400.0  # heel: four frames
    p[7:35, 8:22, 32:45] = 300.0  # forefoot, 12 empty cells ahead, much longer
    seg = segment(p)
    assert len(seg.footprints_) == 1 and seg.footprints_.first_frame.tolist() == [5]


def test_stray_cells_strung_along_a_foot_are_cut_off() -> None:
    p = frames()
    p[5:35, 10:20, 20:45] = 200.0  # a foot
    for k in range(8):  # one-frame noise cells by its toes, one in each lane beside the foot
        p[12 + k, 22 + k, 46 + k % 2] = 9.0
    seg = segment(p)
    assert len(seg.footprints_) == 1
    assert sorted(set((seg.footprints_.cell // GEOMETRY.cols).tolist())) == list(range(10, 20))


def test_room_along_the_mat_beyond_each_footprint() -> None:
    p = frames()
    p[2:12, 10:20, 3:30] = 200.0  # 3 cells from the rear end
    p[15:25, 10:20, 40:77] = 200.0  # 3 cells from the front end (column 79)
    fp = segment(p).footprints_
    assert np.allclose(fp.room_along_mm(), [3 * 8.5, 3 * 8.5])


def test_a_crossover_takes_its_shape_and_is_not_confident() -> None:
    ic = np.arange(7) * 0.35
    heel = np.column_stack([ic * 2800.0, [40.0, -40.0, 42.0, 38.0, 41.0, -39.0, 40.0]])  # step 3, a right foot, lands left
    lateral = np.array([20.0, -20.0, 20.0, -20.0, 20.0, -20.0, 20.0])
    sides, sure = assign_sides(heel, ic, lateral, np.zeros(7, int), np.tile([1.0, 0.0], (7, 1)))
    assert sides.tolist() == [0, 1, 0, 1, 0, 1, 0]
    assert not sure[3] and sure[[0, 1, 5, 6]].all()
