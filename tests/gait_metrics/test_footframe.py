"""Foot frame and belt motion on rendered feet whose geometry and motion are known."""

from __future__ import annotations

import numpy as np
import pytest

from gait_metrics import analyze
from gait_metrics.analyze import frame_times
from gait_metrics.belt import BeltMotion, estimate_belt_motion
from gait_metrics.cop import LoadedCells, frame_series, mat_coordinates, read_loaded_cells
from gait_metrics.footframe import VoxelCoordinates, foot_frames
from gait_metrics.footsteps import FootstepSegmenter
from gait_metrics.stances import stance_layout
from mat_driver.model import Calibration, Geometry, Metadata, Recording

PITCH = 8.5
GEOMETRY = Geometry(40, 150, PITCH, PITCH)
# (centre along, centre across (left +), semi-axes along/across mm, load share): heel,
# lateral midfoot, metatarsal band (symmetric about the axis), toes
BLOBS = np.array(
    [
        [35.0, 0.0, 33.0, 30.0, 0.35],
        [120.0, 20.0, 25.0, 14.0, 0.05],
        [195.0, 0.0, 20.0, 45.0, 0.45],
        [240.0, 0.0, 12.0, 30.0, 0.15],
    ]
)


def render(origin: tuple[float, float], angle_deg: float, force_n: float, shift_mm: float = 0.0, right: bool = False) -> np.ndarray:
    """Cell-mean pressure (kPa) of the foot (a left foot; ``right`` mirrors it), 3 x 3
    samples a cell, raised-cosine blobs."""
    x, y = mat_coordinates(GEOMETRY)
    offsets = (np.arange(3) - 1) / 3.0 * PITCH
    c, s = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    total = np.zeros(GEOMETRY.shape)
    for dx in offsets:
        for dy in offsets:
            px, py = x + dx + shift_mm - origin[0], y + dy - origin[1]
            along, left = c * px + s * py, (-s * px + c * py) * (-1.0 if right else 1.0)
            for cx, cy, a, b, share in BLOBS:
                r2 = ((along - cx) / a) ** 2 + ((left - cy) / b) ** 2
                shape = np.where(r2 < 1, np.cos(0.5 * np.pi * np.sqrt(np.minimum(r2, 1))) ** 2, 0.0)
                total += shape * share * force_n * 1000.0 / (a * b * (np.pi / 2 - 2 / np.pi))
    return total / 9.0


def voxels_of(pressure: np.ndarray):
    cells = LoadedCells.from_pressure(pressure, GEOMETRY, noise_kpa=5.0)
    fp = FootstepSegmenter().segment(cells).footprints_
    layout = stance_layout(fp, np.arange(len(pressure)) * 0.01)
    x, y = (m.ravel() for m in mat_coordinates(GEOMETRY))
    v = VoxelCoordinates(x[fp.cell], y[fp.cell], fp.pressure.astype(float), fp.step, fp.bounds)
    return cells, fp, layout, v


@pytest.mark.parametrize("angle_deg", [0.0, 8.0, -12.0])
def test_axis_heel_centre_and_length_of_a_static_foot(angle_deg: float) -> None:
    pressure = np.zeros((12, *GEOMETRY.shape))
    for k in range(1, 11):
        pressure[k] = render((300.0, 170.0), angle_deg, 800.0 * np.sin(np.pi * k / 11))
    _, fp, layout, v = voxels_of(pressure)
    frames, along, _ = foot_frames(v, layout, belt=BeltMotion.still(layout), walks_forward=False, pitch_mm=PITCH)
    assert len(frames) == 1
    angle = np.degrees(np.arctan2(frames.axis[0, 1], frames.axis[0, 0]))
    assert angle == pytest.approx(angle_deg, abs=0.3)
    c, s = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    heel = np.array([300.0 + 35.0 * c, 170.0 + 35.0 * s])
    assert np.linalg.norm(frames.heel_mm[0] - heel) < 0.5
    # the loaded outline ends inside the blobs' soft edges (0 and 252 mm): the rim carries under 5 kPa
    along_origin = (frames.origin_mm[0] - np.array([300.0, 170.0])) @ np.array([c, s])
    assert 0.0 < along_origin < 12.0 and 232.0 < frames.length_mm[0] < 252.0
    assert frames.midfoot_left_mm[0] > 10.0  # the lateral midfoot blob lies to the left
    heel_to_edge = (frames.heel_mm[0] - frames.origin_mm[0]) @ frames.axis[0]
    assert along.min() == pytest.approx(-heel_to_edge) and along.max() == pytest.approx(frames.length_mm[0] - heel_to_edge)


def test_belt_motion_of_a_footprint_riding_the_belt() -> None:
    """The belt carries the foot back at 2 m/s, slowing by 5 % at the peak force."""
    n = 32
    t = np.arange(n) * 0.01
    force = np.where((t > 0.01) & (t < 0.30), 1500.0 * np.sin(np.pi * (t - 0.01) / 0.29), 0.0)
    speed = 2.0 * (1.0 - 0.05 * force / force.max())  # m/s, slowing under load
    travel = np.r_[0.0, np.cumsum(0.5 * (speed[1:] + speed[:-1]) * np.diff(t))] * 1000.0  # mm
    pressure = np.stack([render((900.0 - travel[k], 170.0), 5.0, force[k]) for k in range(n)])
    cells, fp, layout, v = voxels_of(pressure)
    mat_force = frame_series(cells, t).force_n
    belt = estimate_belt_motion(v, layout, mat_force, pitch_mm=PITCH, guess_m_s=2.2)  # a set speed 10 % off
    loaded = layout.frame[1:-1]  # the footprint's frames
    measured = belt.displacement_mm[1:-1]
    true = travel[loaded] - travel[loaded[0]]
    assert np.abs(measured - true).max() < 1.0  # mm, over a stance that travels ~560 mm
    unknown = estimate_belt_motion(v, layout, mat_force, pitch_mm=PITCH, guess_m_s=None)
    assert np.abs(unknown.displacement_mm[1:-1] - true).max() < 1.5


def test_a_treadmill_session_reports_set_and_estimated_speed() -> None:
    n = 260
    pressure = np.zeros((n, *GEOMETRY.shape))
    for k in range(4):  # four steps on alternate feet, 0.6 s apart, belt 1.5 m/s
        for j in range(30):
            f = 1200.0 * np.sin(np.pi * (j + 1) / 31)
            side_y = 200.0 if k % 2 == 0 else 140.0
            pressure[20 + 60 * k + j] += render((1000.0 - 15.0 * j, side_y), 6.0 if k % 2 == 0 else -6.0, f, right=k % 2 == 1)
    raw = np.rint(pressure).astype(np.uint16)
    rec = Recording(
        raw,
        np.arange(n) * 0.01,
        GEOMETRY,
        100.0,
        calibration=Calibration(gain_kpa=1.0, calibrated=True),
        metadata=Metadata(setup="treadmill", belt_speed_m_s=1.6),
    )
    result = analyze(rec)
    assert result.info["belt_speed_set_m_s"] == 1.6
    assert result.info["belt_speed_estimated_m_s"] == pytest.approx(1.5, rel=0.005)
    assert np.allclose(result.steps.belt_speed_m_s, 1.5, rtol=0.01)
    assert result.steps.side.tolist() == [0, 1, 0, 1] and np.allclose(result.steps.progression_angle_deg, 6.0, atol=0.5)
    assert result.butterfly is not None and result.butterfly.n_crossings == 0  # no double support


def test_blocks_of_whole_steps_give_the_same_sums_as_all_steps_at_once() -> None:
    from mat_sim.simulator import simulate

    recording = simulate("trained-runner", seed=1, duration_s=4.0).recording()
    cells = read_loaded_cells(recording, noise_kpa=5.0)
    fp = FootstepSegmenter().segment(cells).footprints_
    layout = stance_layout(fp, frame_times(recording))
    x, y = (m.ravel().astype(np.float32) for m in mat_coordinates(recording.geometry))
    v = VoxelCoordinates(x[fp.cell], y[fp.cell], fp.pressure, fp.step, fp.bounds)
    blocks = list(v.blocks(voxels=2000))
    assert len(blocks) > 2
    assert [b[0].start for b in blocks[1:]] == [b[0].stop for b in blocks[:-1]] and blocks[-1][0].stop == len(fp)
    (per_step,), per_frame = v.sums(v.pressure * v.x_mm), layout.per_frame(v.pressure)
    for steps, voxels, block in blocks:
        assert np.array_equal(block.bounds, fp.bounds[steps.start : steps.stop + 1] - fp.bounds[steps.start])
        assert np.array_equal(block.sums(block.pressure * block.x_mm)[0], per_step[steps])
        elements = slice(int(layout.offsets[steps.start]), int(layout.offsets[steps.stop]))
        sub = layout.block(steps, voxels)
        assert np.array_equal(sub.per_frame(block.pressure), per_frame[elements])
        assert np.array_equal(sub.spread(np.arange(len(sub))), layout.spread(np.arange(len(layout)))[voxels] - elements.start)
