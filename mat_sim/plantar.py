"""The simulator's second foot model, ``"plantar"``: soft pads under a rocking foot.

Independent of the blob model (:mod:`mat_sim.footmodel`) in every part the analysis could
share by accident (docs/simulator.md, "Second foot model"):

- anatomy: a heel pad, a lateral midfoot band whose load and width grow on low arches,
  five metatarsal heads on an oblique line (MTH5 behind MTH1), a hallux and the lesser
  toes; the loaded footprint is shorter than the anatomical foot (the toe tips stay under
  the loaded level); the band and MTH5 straddle the 30 % and 60 % region boundaries;
- shapes: separable generalised Gaussians ``exp(-|u/a|^p - |v/b|^p)`` (p = 2-3), not
  raised-cosine ellipses;
- loading: the vertical force is a body-weight curve of its own; a rigid foot rolls over
  the ground (pitch, then heel lift with the toes hinged at the MTP joints; roll from
  inverted to everted) and each pad takes the share of a soft contact
  ``k (c - dz) ^ 1.5`` by its height ``dz`` above the lowest pad, so the lateral heads
  load before the medial ones and the heel unloads as it lifts;
- per step: arch height (the midfoot band), whether the toes register at all, the roll
  at contact and the timing of the heel lift (foot-flat spread) are drawn anew;
- truth: from the definitions (docs/metrics.md, regions v2), not from the construction:
  the loaded outline from the noise-free field on a 1 mm grid, region boundaries from the
  side's medians, region forces as integrals of the field over the regions.

Foot-model coordinates as in :mod:`mat_sim.footmodel`: ``x`` mm from the anatomical heel
edge along the anatomical axis (heel centre to the midpoint of MTH2 and MTH3), ``y`` mm
medial positive.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from math import gamma
from typing import TYPE_CHECKING

import numpy as np
from scipy.constants import g as _GRAVITY_M_S2
from scipy.interpolate import PchipInterpolator
from scipy.special import gammainc

from gait_metrics.config import AnalysisConfig
from mat_sim.stepbase import TRUTH_DT_S, StepPose, crossings

if TYPE_CHECKING:
    from mat_sim.simulator import SimConfig

__all__ = ["Pad", "PADS", "PlantarStep", "force_shape_bw", "place_regions"]

_DEFAULTS = AnalysisConfig()
_CONTACT_MM = 5.0  # soft-contact depth c: a pad higher than this above the lowest carries nothing
_HERTZ_POWER = 1.5
_MTP_FRAC = 0.74  # the MTP joints' line, fraction of foot length: the toes hinge there
_TOE_REGISTER_PROB = 0.4
_LOW_ARCH_MM = 2.5  # the midfoot band widens below this arch height
_ARCH_MM, _ARCH_SD_MM = 3.0, 1.0
_EXTRA_FOOT_FLAT_SD_MS = 10.0  # the rocker's own step-to-step spread of the heel lift
_ENVELOPE_GRID_MM = 1.0
_ENVELOPE_DT_S = 1e-3
_REACH_SCALES = 3.0  # pads are drawn out to this many scales (pressure < 1e-4 of peak)


@dataclass(frozen=True)
class Pad:
    """One plantar pad, in fractions of anatomical foot length (x) and width (y).

    ``power`` is the generalised-Gaussian exponent; ``stiffness`` its share of the load
    when the foot stands flat; ``clearance_mm`` its height above the plantar plane (NaN:
    drawn per step).
    """

    name: str
    cx: float
    cy: float
    ax: float
    by: float
    power: float
    stiffness: float
    clearance_mm: float


#: Heel, lateral midfoot band, metatarsal heads 1 (medial) to 5 (lateral), hallux, lesser
#: toes (the 2nd and 3rd reach further forward than the hallux, as in many feet).
#: MTH stiffness 19/24/27/22/9 % of the forefoot's (the MH1-MH5 forces of docs/metrics.md).
PADS = (
    Pad("heel", 0.135, 0.0, 0.068, 0.21, 2.5, 1.0, 0.0),
    Pad("midfoot", 0.44, -0.27, 0.12, 0.08, 3.0, 0.45, np.nan),
    Pad("mth1", 0.715, 0.28, 0.055, 0.11, 2.0, 0.285, 0.0),
    Pad("mth2", 0.725, 0.09, 0.055, 0.10, 2.0, 0.36, 0.0),
    Pad("mth3", 0.705, -0.09, 0.055, 0.10, 2.0, 0.405, 0.0),
    Pad("mth4", 0.675, -0.23, 0.055, 0.10, 2.0, 0.33, 0.0),
    Pad("mth5", 0.635, -0.36, 0.055, 0.09, 2.0, 0.135, 0.0),
    Pad("hallux", 0.845, 0.27, 0.045, 0.13, 2.0, 0.35, 1.0),
    Pad("toes", 0.92, -0.04, 0.03, 0.13, 2.5, 0.15, np.nan),
)
_HEEL = 0
_MIDFOOT = 1
_MTH = np.array([p.name.startswith("mth") for p in PADS])
_TOES = len(PADS) - 1
_HINGED = np.array([p.name in ("hallux", "toes") for p in PADS])


def force_shape_bw(tau: np.ndarray, gait: str, strike: str) -> np.ndarray:
    """Vertical force in body weights over the contact ``tau`` in [0, 1] (0 outside).

    Running: an active peak of 2.5 BW at mid-contact and, for rear- and midfoot strikes,
    an impact transient near 7 %; walking: two humps (1.2 BW) and a valley (0.76 BW).
    """
    tau = np.asarray(tau, float)
    inside = (tau > 0.0) & (tau < 1.0)
    arch = np.sin(np.pi * np.clip(tau, 0.0, 1.0))
    if gait == "run":
        impact = {"rearfoot": 0.9, "midfoot": 0.3, "forefoot": 0.0}.get(strike)
        if impact is None:
            raise ValueError(f"strike must be rearfoot, midfoot or forefoot, got {strike!r}")
        force = 2.5 * arch**1.6 + impact * np.exp(-(((tau - 0.07) / 0.028) ** 2))
    elif gait == "walk":
        if strike != "rearfoot":
            raise ValueError(f"walking supports a rearfoot strike only, got {strike!r}")
        force = arch * (0.76 + 0.8 * np.sin(2.0 * np.pi * tau) ** 2)
    else:
        raise ValueError(f"gait must be 'run' or 'walk', got {gait!r}")
    return np.where(inside, force, 0.0)


@lru_cache(maxsize=None)
def _contact_fractions(gait: str, strike: str) -> tuple[float, float]:
    """Where the force crosses the event level (threshold_frac of its peak), fractions of the contact."""
    tau = np.linspace(0.0, 1.0, 200001)
    force = force_shape_bw(tau, gait, strike)
    above = np.flatnonzero(force >= _DEFAULTS.threshold_frac * force.max())
    return float(tau[above[0]]), float(tau[above[-1]])


# Rocker: pitch at contact (deg; + toes up) and the stance fraction at which foot flat falls.
_STRIKE_PITCH_DEG = {("run", "rearfoot"): 11.0, ("run", "midfoot"): 0.5, ("walk", "rearfoot"): 18.0}
_FOOT_FLAT_FRAC = {("run", "rearfoot"): 0.10, ("run", "midfoot"): 0.03, ("walk", "rearfoot"): 0.14}
_DEFAULT_LAG_FRAC = {"run": 0.35, "walk": 0.24}  # heel lift after foot flat when foot_flat_ms is None
_FOREFOOT_LOWEST_PITCH_DEG = -1.5  # the heel comes within reach: about 2 % of the force, over 5 kPa
_FLAT_PITCH_DEG = 0.8  # pitch at foot flat and minus it at heel off
_ROLL_DEG, _ROLL_SD_DEG = 7.0, 1.5  # inversion at contact (lateral side down)
_ROLL_LATE_DEG = (-1.5, -5.0)  # eversion at heel lift and at the end of contact
_PUSH_OFF_PITCH_DEG = (-40.0, -45.0)  # at toe off and at the end of contact


@dataclass(frozen=True)
class Anatomy:
    """What a plantar step draws anew: arch height (mm, the midfoot band's clearance),
    whether the lesser toes register and their clearance (mm), the roll at contact
    (rad, inversion +), the heel lift's shift (s) and a factor on the pitch at contact."""

    arch_mm: float = _ARCH_MM
    toes_registered: bool = False
    toe_clearance_mm: float = 15.0
    roll_rad: float = float(np.deg2rad(_ROLL_DEG))
    lag_jitter_s: float = 0.0
    pitch_factor: float = 1.0

    @classmethod
    def draw(cls, rng: np.random.Generator) -> "Anatomy":
        """One step's anatomy from ``rng``."""
        arch_mm = float(np.clip(_ARCH_MM + _ARCH_SD_MM * rng.standard_normal(), 0.2, 6.0))
        registered = bool(rng.random() < _TOE_REGISTER_PROB)
        clearance = float(rng.uniform(0.3, 2.0)) if registered else 15.0
        roll = float(np.deg2rad(_ROLL_DEG + _ROLL_SD_DEG * rng.standard_normal()))
        jitter = _EXTRA_FOOT_FLAT_SD_MS / 1000.0 * rng.standard_normal()
        return cls(arch_mm, registered, clearance, roll, jitter, 1.0 + 0.1 * rng.standard_normal())


class PlantarStep(StepPose):
    """One step of the plantar model: per-step anatomy, rocker, loads, pressure field.

    The same attributes as the blob model's step (``t_on``, ``t_off``, ``side``,
    ``origin``, ``heading``, ``lateral``, ``centres``, ``axes``, ``loads_n``,
    ``to_mat``, ``add_pressure_kpa``) and the truth's hooks (``heel_and_axis``,
    ``region_forces_n``, ``rear_edge_mm``), the latter valid after :func:`place_regions`.
    """

    def __init__(
        self,
        index: int,
        side: int,
        t_ic: float,
        stance_s: float,
        foot_flat_s: float | None,
        origin: np.ndarray,
        cfg: SimConfig,
        anatomy: Anatomy,
        lag_offset_s: float = 0.0,
    ) -> None:
        self.index, self.side, self.cfg = index, side, cfg
        self.origin = origin
        self.heading = np.deg2rad(cfg.progression_angle_deg) * (1.0 if side == 0 else -1.0)
        self.lateral = -1.0 if side == 0 else 1.0
        self.body_weight_n = cfg.body_mass_kg * _GRAVITY_M_S2
        length, width = cfg.foot_length_mm, cfg.foot_width_mm
        self.anatomy = anatomy
        arch_mm = anatomy.arch_mm
        self.centres = np.array([[p.cx * length, p.cy * width] for p in PADS])
        self.scales = np.array([[p.ax * length, p.by * width] for p in PADS])
        widen = max(0.0, _LOW_ARCH_MM - arch_mm) / _LOW_ARCH_MM * 0.8 * self.scales[_MIDFOOT, 1]
        self.scales[_MIDFOOT, 1] += widen  # a low arch: the band spreads medially
        self.centres[_MIDFOOT, 1] += widen
        self.powers = np.array([p.power for p in PADS])
        self.stiffness = np.array([p.stiffness for p in PADS])
        self.clearance_mm = np.array([p.clearance_mm for p in PADS])
        self.clearance_mm[_MIDFOOT] = arch_mm
        self.clearance_mm[_TOES] = anatomy.toe_clearance_mm
        self.axes = _REACH_SCALES * self.scales  # bounding half-sizes (the cut test)
        self._norm = 1000.0 / (4.0 * self.scales.prod(axis=1) * np.array([gamma(1.0 + 1.0 / p) ** 2 for p in self.powers]))
        # contact timing: the force curve's event-level crossings span the stance
        gait, strike = cfg.gait, cfg.strike
        tau_ic, tau_to = _contact_fractions(gait, strike)
        contact_s = stance_s / (tau_to - tau_ic)
        self.t_on = t_ic - tau_ic * contact_s
        self.t_off = self.t_on + contact_s
        t_to = t_ic + stance_s
        flat = np.deg2rad(_FLAT_PITCH_DEG)
        if strike == "forefoot":  # lands on the lateral forefoot; the heel only brushes the ground
            knots_t = [self.t_on, t_ic + 0.45 * stance_s, t_to, self.t_off]
            knots_pitch = np.deg2rad([-9.0, _FOREFOOT_LOWEST_PITCH_DEG, *_PUSH_OFF_PITCH_DEG])
            roll_t = [self.t_on, t_ic + 0.45 * stance_s, self.t_off]
        else:
            lag_s = foot_flat_s if foot_flat_s is not None else _DEFAULT_LAG_FRAC[gait] * stance_s
            t_ff = t_ic + _FOOT_FLAT_FRAC[(gait, strike)] * stance_s
            t_ho = float(np.clip(t_ff + lag_s - lag_offset_s + anatomy.lag_jitter_s, t_ff + 0.005, t_ic + 0.85 * stance_s))
            pitch0 = np.deg2rad(_STRIKE_PITCH_DEG[(gait, strike)] * anatomy.pitch_factor)
            knots_t = [self.t_on, t_ff, t_ho, t_to, self.t_off]
            knots_pitch = np.array([pitch0, min(flat, pitch0), -flat, *np.deg2rad(_PUSH_OFF_PITCH_DEG)])
            roll_t = [self.t_on, t_ho, self.t_off]
        self._pitch = PchipInterpolator(knots_t, knots_pitch)
        self._roll = PchipInterpolator(roll_t, [anatomy.roll_rad, *np.deg2rad(_ROLL_LATE_DEG)])
        self._gait, self._strike = gait, strike
        self.bounds_mm: tuple[float, float] | None = None

    # ---- loads ---------------------------------------------------------------------
    def heights_mm(self, t: np.ndarray) -> np.ndarray:
        """Each pad's height ``(n_pads, len(t))`` above the plantar plane's contact, mm."""
        pitch = self._pitch(np.clip(t, self.t_on, self.t_off))
        roll = self._roll(np.clip(t, self.t_on, self.t_off))
        x, y = self.centres[:, 0:1], self.centres[:, 1:2]
        x_mtp = _MTP_FRAC * self.cfg.foot_length_mm
        along = np.where(_HINGED[:, None], x_mtp * np.sin(pitch) + (x - x_mtp) * np.sin(np.maximum(pitch, 0.0)), x * np.sin(pitch))
        return along + y * np.sin(roll) + self.clearance_mm[:, None]

    def shares(self, t: np.ndarray) -> np.ndarray:
        """Each pad's share of the vertical force ``(n_pads, len(t))``: a soft contact by height."""
        z = self.heights_mm(t)
        depth = np.maximum(_CONTACT_MM - (z - z.min(axis=0)), 0.0)
        weights = self.stiffness[:, None] * depth**_HERTZ_POWER
        return weights / weights.sum(axis=0)

    def loads_n(self, t: np.ndarray) -> np.ndarray:
        """Pad loads ``(n_pads, len(t))`` in N."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        tau = (t - self.t_on) / (self.t_off - self.t_on)
        force = force_shape_bw(tau, self._gait, self._strike) * self.body_weight_n
        return self.shares(t) * force

    # ---- pressure --------------------------------------------------------------------
    def pressure_per_n(self, foot_xy: np.ndarray) -> np.ndarray:
        """Pressure (kPa) each pad puts on points ``(..., 2)`` per N of its load: ``(n_pads, ...)``."""
        u = (foot_xy[None, ..., 0] - _expand(self.centres[:, 0], foot_xy)) / _expand(self.scales[:, 0], foot_xy)
        v = (foot_xy[None, ..., 1] - _expand(self.centres[:, 1], foot_xy)) / _expand(self.scales[:, 1], foot_xy)
        power = _expand(self.powers, foot_xy)
        return _expand(self._norm, foot_xy) * np.exp(-(np.abs(u) ** power) - np.abs(v) ** power)

    def add_pressure_kpa(self, field: np.ndarray, time_s: float, shift_mm: float, pitch_mm: float, sub_offsets: np.ndarray) -> None:
        """Add this foot's mean pressure over each cell at ``time_s`` to ``field`` (kPa)."""
        loads = self.loads_n(np.array([time_s]))[:, 0]
        lo, hi = (self.centres - self.axes).min(axis=0), (self.centres + self.axes).max(axis=0)
        box = self.to_mat(np.array([[lo[0], lo[1]], [lo[0], hi[1]], [hi[0], lo[1]], [hi[0], hi[1]]]), shift_mm)
        rows, cols = field.shape
        c0, c1 = int(max(0, box[:, 0].min() // pitch_mm)), int(min(cols, box[:, 0].max() // pitch_mm + 1))
        r0, r1 = int(max(0, box[:, 1].min() // pitch_mm)), int(min(rows, box[:, 1].max() // pitch_mm + 1))
        if c0 >= c1 or r0 >= r1:
            return
        k = sub_offsets.size
        xs = ((np.arange(c0, c1)[:, None] + 0.5 + sub_offsets[None, :]) * pitch_mm).ravel()
        ys = ((np.arange(r0, r1)[:, None] + 0.5 + sub_offsets[None, :]) * pitch_mm).ravel()
        mat = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None]), axis=-1)
        pressure = np.tensordot(loads, self.pressure_per_n(self.to_foot(mat, shift_mm)), axes=1)
        field[r0:r1, c0:c1] += pressure.reshape(r1 - r0, k, c1 - c0, k).mean(axis=(1, 3))

    # ---- truth (docs/metrics.md definitions) ---------------------------------------------
    def heel_and_axis(self, impulses_n_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Heel pressure centre and the unit functional axis towards the metatarsal heads'.

        A pad's pressure centre is its centre (its shape is symmetric), so the heel's is the
        heel pad's centre and the heads' the centroid of the MTH pads weighted by their
        impulses.
        """
        weights = np.asarray(impulses_n_s, float)[_MTH]
        heel = self.centres[_HEEL]
        axis = weights @ self.centres[_MTH] / weights.sum() - heel
        return heel, axis / np.linalg.norm(axis)

    @cached_property
    def footprint(self) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Heel centre, functional axis, and the loaded outline's rear edge and front tip
        along the axis (mm from the heel centre): where the noise-free pressure ever
        exceeds the noise level (AnalysisConfig.noise_kpa) during the step."""
        heel, axis = self.heel_and_axis(self.loads_n(self.truth_grid_s(TRUTH_DT_S)).sum(axis=1) * TRUTH_DT_S)
        rear, front = _loaded_extent_mm(self, axis)
        return heel, axis, rear - heel @ axis, front - heel @ axis

    def set_bounds(self, rear_mm: float, front_mm: float) -> None:
        """Region boundaries (mm from the heel centre along the axis) from the side's extent."""
        length = front_mm - rear_mm
        self.bounds_mm = (rear_mm + _DEFAULTS.rearfoot_end_frac * length, rear_mm + _DEFAULTS.midfoot_end_frac * length)
        heel, axis, _, _ = self.footprint
        before = np.array([[_fraction_behind(self, i, heel, axis, b) for b in self.bounds_mm] for i in range(len(PADS))])
        self.region_shares = np.column_stack([before[:, 0], before[:, 1] - before[:, 0], 1.0 - before[:, 1]])

    def region_forces_n(self, loads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rearfoot and forefoot force: the field integrated over each region."""
        return self.region_shares[:, 0] @ loads, self.region_shares[:, 2] @ loads

    def rear_edge_mm(self, loads: np.ndarray, axis: np.ndarray) -> float:
        """The step's loaded rear edge along ``axis`` from the foot-model origin, mm."""
        heel, own_axis, rear, _ = self.footprint
        return float(heel @ own_axis + rear)


def _expand(values: np.ndarray, points: np.ndarray) -> np.ndarray:
    return values.reshape((-1,) + (1,) * (points.ndim - 1))


def _loaded_extent_mm(step: PlantarStep, axis: np.ndarray) -> tuple[float, float]:
    """Rearmost and most anterior point (along ``axis``) ever over the noise level, on a 1 mm grid."""
    lo = (step.centres - step.axes).min(axis=0)
    hi = (step.centres + step.axes).max(axis=0)
    xs = np.arange(lo[0], hi[0] + _ENVELOPE_GRID_MM, _ENVELOPE_GRID_MM)
    ys = np.arange(lo[1], hi[1] + _ENVELOPE_GRID_MM, _ENVELOPE_GRID_MM)
    points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    per_n = step.pressure_per_n(points)
    loads = step.loads_n(step.truth_grid_s(_ENVELOPE_DT_S))
    peak = loads.max(axis=1)
    level = _DEFAULTS.noise_kpa
    upper = peak @ per_n  # no instant can exceed each pad at its own peak at once
    surely = (peak[:, None] * per_n).max(axis=0) > level  # one pad alone exceeds it
    maybe = np.flatnonzero((upper > level) & ~surely)
    loaded = surely.copy()
    if maybe.size:
        loaded[maybe] = (per_n[:, maybe].T @ loads).max(axis=1) > level
    along = points[loaded] @ axis
    return float(along.min()), float(along.max())


def _fraction_behind(step: PlantarStep, pad: int, heel: np.ndarray, axis: np.ndarray, bound_mm: float) -> float:
    """Share of a pad's force behind the line ``(p - heel) . axis = bound_mm``.

    The pad's density is separable in foot-model x and y: integrate its x-distribution
    function (a regularised incomplete gamma) up to the line, over its y-density on a
    fine grid.
    """
    (cx, cy), (a, b), p = step.centres[pad], step.scales[pad], step.powers[pad]
    v = np.linspace(-6.0, 6.0, 2401)
    density = np.exp(-(np.abs(v) ** p))
    y = cy + b * v
    x_line = heel[0] + (bound_mm - (y - heel[1]) * axis[1]) / axis[0]
    u = (x_line - cx) / a
    cdf = 0.5 + 0.5 * np.sign(u) * gammainc(1.0 / p, np.abs(u) ** p)
    return float(np.sum(density * cdf) / np.sum(density))


@lru_cache(maxsize=None)
def lag_offset_s(cfg: SimConfig, foot_flat_s: float) -> float:
    """How much later than the rocker's heel lift the truth's HO - FF ends, nominal step.

    ``foot_flat_ms`` sets the lag (HO - FF) of the definitions, not of the rocker's
    knots: a nominal step (mean anatomy, nominal stance) is measured with the truth's
    rules (its own outline as the side's) and the offset refined twice.
    """
    offset = 0.0
    for _ in range(3):
        step = PlantarStep(0, 0, 0.0, cfg.stance_ms / 1000.0, foot_flat_s, np.zeros(2), cfg, Anatomy(), offset)
        _, _, rear, front = step.footprint
        step.set_bounds(rear, front)
        t = step.truth_grid_s(TRUTH_DT_S)
        loads = step.loads_n(t)
        level = _DEFAULTS.threshold_frac * loads.sum(axis=0).max()
        rear_force, fore_force = step.region_forces_n(loads)
        rear_on, heel_off = crossings(t, rear_force, level)
        fore_on, _ = crossings(t, fore_force, level)
        if not np.isfinite(rear_on + fore_on):
            return offset
        offset += heel_off - max(rear_on, fore_on) - foot_flat_s
    return offset


def place_regions(steps: list[PlantarStep], complete: list[bool]) -> None:
    """Region boundaries of every step by the rule of docs/metrics.md (regions v2).

    Per side, the rear edge and front tip are the medians over the side's complete steps
    (all of its steps when none is complete) of each step's loaded outline, from its heel
    centre along its functional axis; the boundaries lie at 30 % and 60 % of the length
    between them.
    """
    for side in (0, 1):
        mine = [k for k, s in enumerate(steps) if s.side == side]
        whole = [k for k in mine if complete[k]] or mine
        if not whole:
            continue
        rear = float(np.median([steps[k].footprint[2] for k in whole]))
        front = float(np.median([steps[k].footprint[3] for k in whole]))
        for k in mine:
            steps[k].set_bounds(rear, front)
