"""A point load on the simulated mat: the recording that measures a mat's crosstalk.

A weight smaller than a cell (a coin-sized weight) presses on one cell; whatever its
neighbours read is the sensor's crosstalk (:func:`mat_driver.calibration.estimate_crosstalk`).
The session is a :class:`~mat_sim.simulator.Simulation` without steps: the same sensor
(gain, ADC, offsets and tare, noise, crosstalk, dead and stuck cells) renders a constant
pressure on one cell instead of feet.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from mat_sim.simulator import PRESETS, SimConfig, Simulation, add_crosstalk

__all__ = ["PointLoad", "point_load"]


class PointLoad(Simulation):
    """A constant ``pressure_kpa`` on one cell from ``on_s`` on; the empty mat before.

    The cell is the working cell nearest the mat's centre whose 4 edge neighbours work
    too (not dead, not stuck). ``truth["frame_force_n"]`` is the weight's force per frame.
    """

    def __init__(self, config: SimConfig, seed: int, *, pressure_kpa: float, on_s: float) -> None:
        self.pressure_kpa, self.on_s = pressure_kpa, on_s
        super().__init__(config, seed, "point-load")
        blocked = add_crosstalk((self.dead_cells | self.stuck_cells).astype(float), 1.0) > 0  # faulty, or next to one
        blocked[[0, -1], :] = blocked[:, [0, -1]] = True  # a cell on the edge lacks neighbours
        rows, cols = np.indices(blocked.shape)
        distance = np.hypot(rows - (config.rows - 1) / 2.0, cols - (config.cols - 1) / 2.0)
        self.cell = np.unravel_index(int(np.argmin(np.where(blocked, np.inf, distance))), blocked.shape)
        on = self.frame_time_s >= on_s
        self.truth["frame_force_n"] = np.where(on, pressure_kpa * self.geometry.cell_area_mm2 / 1000.0, 0.0)

    def _plan_steps(self, rng: np.random.Generator) -> list:
        return []

    def _pressure_kpa(self, time_s: float) -> np.ndarray:
        field = np.zeros(self.geometry.shape)
        if time_s >= self.on_s:
            field[self.cell] = self.pressure_kpa
        return field


def point_load(
    preset: str = "trained-runner",
    *,
    seed: int = 0,
    pressure_kpa: float = 200.0,
    duration_s: float = 5.0,
    on_s: float = 1.0,
    **overrides: Any,
) -> PointLoad:
    """A point load on the mat of ``preset`` with its sensor, e.g. at a sensor level.

    Parameters
    ----------
    preset
        Whose mat and sensor (grid, ADC, gain, noise, crosstalk, faulty cells).
    seed
        Same seed, same recording.
    pressure_kpa
        Pressure on the loaded cell (the weight's force over the cell's area), kPa.
    duration_s
        Length of the recording, s.
    on_s
        When the weight is put down; the mat is empty before.
    **overrides
        :class:`~mat_sim.simulator.SimConfig` fields, e.g. ``**SENSOR_LEVELS["velostat"]``
        or ``crosstalk_frac=0.05``.

    Examples
    --------
    >>> sim = point_load(crosstalk_frac=0.05, noise_counts=0.0, offset_max_counts=0.0)
    >>> frame = sim.recording().pressure(-1)
    >>> row, col = sim.cell
    >>> float(frame[row, col]), float(frame[row, col + 1])
    (200.0, 10.0)
    """
    config = dataclasses.replace(PRESETS[preset], duration_s=duration_s, **overrides)
    return PointLoad(config, seed, pressure_kpa=pressure_kpa, on_s=on_s)
