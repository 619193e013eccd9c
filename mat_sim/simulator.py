"""Deterministic gait simulator: realistic pressure-mat recordings with exact ground truth.

Every test of the analysis and the demo run on it. The model (docs/simulator.md):

- a foot of anatomical blobs (:mod:`mat_sim.footmodel`) whose loads follow a stance
  template per gait and strike pattern, or (``foot_model="plantar"``) an independent
  foot of pads under a rocker (:mod:`mat_sim.plantar`) with truth from the definitions;
- per step a monotone time warp (PCHIP through the template's event phases) puts foot
  flat and heel off exactly where asked, so the loading-to-propulsion lag is a parameter;
- the truth of every event is then computed from the step's own load curves at 0.1 ms,
  so it is exact whatever the warp did;
- treadmill: the footprint rides the belt backwards at the belt speed, which dips under
  load; walkway: footprints stay put and advance pass after pass;
- the sensor: cell averages of the pressure field, a linear ADC with saturation, per-cell
  offsets, noise in ADC counts, crosstalk, dead and stuck cells; :data:`SENSOR_LEVELS`
  names three sensors from clean to bad.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.interpolate import PchipInterpolator

from gait_metrics.config import AnalysisConfig
from mat_driver import __version__
from mat_driver.model import Calibration, Gaps, Geometry, Metadata, Recording, RenderedFrames
from mat_sim import plantar
from mat_sim.footmodel import (
    RAISED_COSINE_INTEGRAL,
    REGION_OF_BLOB,
    blob_geometry,
    functional_axis,
    load_template,
    loaded_rear_edge_mm,
)
from mat_sim.stepbase import TRUTH_DT_S as _TRUTH_DT_S
from mat_sim.stepbase import StepPose
from mat_sim.stepbase import crossings as _crossings

__all__ = [
    "SimConfig",
    "PRESETS",
    "FOOT_MODELS",
    "SENSOR_LEVELS",
    "Simulation",
    "simulate",
    "add_crosstalk",
    "StepTruth",
    "truth_steps",
    "GRAVITY_M_S2",
    "NOISE_KPA",
]

GRAVITY_M_S2 = 9.80665
_ANALYSIS_DEFAULTS = AnalysisConfig()
_THRESHOLD_FRAC = _ANALYSIS_DEFAULTS.threshold_frac
NOISE_KPA = _ANALYSIS_DEFAULTS.noise_kpa  # the analysis's default noise threshold: the loaded footprint's outline
FOOT_MODELS = ("blobs", "plantar")
_SUPERSAMPLE = 3
_REAR = np.array([r == "rearfoot" for r in REGION_OF_BLOB])
_FORE = np.array([r == "forefoot" for r in REGION_OF_BLOB])


@dataclass(frozen=True)
class SimConfig:
    """Every knob of a simulated session; units in the names.

    ``foot_flat_ms`` is the loading-to-propulsion lag (heel off minus foot flat); ``None``
    keeps the template's own. Variability is the SD from step to step.
    ``foot_flat_right_extra_ms`` lengthens the right foot's lag (an asymmetric gait).
    ``foot_model`` picks the foot: ``"blobs"`` (:mod:`mat_sim.footmodel`) or ``"plantar"``
    (:mod:`mat_sim.plantar`, an independent anatomy, loading and truth). ``hop_side`` (0
    left, 1 right) makes every step a hop on that foot, landing on the walker's midline:
    ``cadence_spm`` hops a minute, each ``stance_ms`` on the mat, the rest in flight.

    The sensor: ``gain_kpa`` per ADC count, ``adc_bits`` (saturation at the top count),
    per-cell offsets up to ``offset_max_counts``, Gaussian noise of ``noise_counts`` (SD,
    ADC counts) on every cell and frame, ``crosstalk_frac`` of each cell's signal added to
    its 4 neighbours, ``dead_cells`` reading 0 and ``stuck_cells`` reading a fixed high
    count (25-100 % of the ADC range) plus the noise, whatever the load.
    """

    gait: str = "run"
    strike: str = "rearfoot"
    setup: str = "treadmill"
    belt_speed_m_s: float = 2.8
    walk_speed_m_s: float = 1.3
    cadence_spm: float = 166.0
    stance_ms: float = 270.0
    foot_flat_ms: float | None = 110.0
    stance_sd_frac: float = 0.02
    step_time_sd_frac: float = 0.02
    foot_flat_sd_ms: float = 5.0
    foot_flat_right_extra_ms: float = 0.0
    foot_model: str = "blobs"
    body_mass_kg: float = 70.0
    foot_length_mm: float = 265.0
    foot_width_mm: float = 100.0
    progression_angle_deg: float = 7.0
    step_width_mm: float = 70.0
    placement_sd_mm: float = 6.0
    belt_dip_frac: float = 0.04
    pass_gap_s: float = 2.5
    hop_side: int | None = None
    rows: int = 56
    cols: int = 160
    pitch_mm: float = 8.5
    rate_hz: float = 100.0
    adc_bits: int = 12
    gain_kpa: float = 0.4
    noise_counts: float = 0.8
    offset_max_counts: float = 4.0
    crosstalk_frac: float = 0.01
    dead_cells: int = 4
    stuck_cells: int = 0
    host_jitter_ms: float = 0.3
    drop_fraction: float = 0.0
    duration_s: float = 60.0
    subject_id: str = "SIM-01"
    condition: str = ""

    def __post_init__(self) -> None:
        if self.gait not in ("run", "walk"):
            raise ValueError(f"gait must be 'run' or 'walk', got {self.gait!r}")
        if self.foot_model not in FOOT_MODELS:
            raise ValueError(f"foot_model must be one of {', '.join(FOOT_MODELS)}, got {self.foot_model!r}")
        if self.setup not in ("treadmill", "walkway"):
            raise ValueError(f"the simulator supports treadmill and walkway setups, got {self.setup!r}")
        if self.stance_ms <= 0 or self.cadence_spm <= 0 or self.duration_s <= 0:
            raise ValueError("stance, cadence and duration must be > 0")
        if self.hop_side not in (None, 0, 1):
            raise ValueError(f"hop_side must be None, 0 (left) or 1 (right), got {self.hop_side!r}")
        if self.dead_cells + self.stuck_cells > self.rows * self.cols:
            raise ValueError("more dead and stuck cells than cells")
        if not 0.0 <= self.drop_fraction < 0.5:
            raise ValueError(f"drop_fraction must be in [0, 0.5), got {self.drop_fraction}")


_RUNNER = SimConfig(subject_id="SIM-RUNNER")
_WALKER = SimConfig(
    gait="walk",
    setup="walkway",
    cadence_spm=112.0,
    stance_ms=650.0,
    foot_flat_ms=None,
    step_width_mm=95.0,
    progression_angle_deg=8.0,
    rows=64,
    cols=240,
    belt_speed_m_s=0.0,
    subject_id="SIM-WALKER",
    foot_flat_sd_ms=8.0,
)

#: Named sessions; override any field with :func:`simulate`'s keyword arguments.
PRESETS: dict[str, SimConfig] = {
    "shuffling-runner": dataclasses.replace(_RUNNER, foot_flat_ms=110.0, condition="before"),
    "trained-runner": dataclasses.replace(_RUNNER, foot_flat_ms=50.0, condition="after"),
    "forefoot-runner": dataclasses.replace(
        _RUNNER,
        strike="forefoot",
        foot_flat_ms=None,
        belt_speed_m_s=3.3,
        cadence_spm=176.0,
        stance_ms=220.0,
        subject_id="SIM-FOREFOOT",
    ),
    "walker": _WALKER,
    "treadmill-walker": dataclasses.replace(_WALKER, setup="treadmill", belt_speed_m_s=1.2, cadence_spm=108.0, stance_ms=700.0, cols=170, rows=56),
    "hopper": dataclasses.replace(
        _RUNNER,
        hop_side=1,
        belt_speed_m_s=1.2,
        cadence_spm=130.0,
        stance_ms=300.0,
        foot_flat_ms=60.0,
        subject_id="SIM-HOPPER",
    ),
    "velostat-pass": dataclasses.replace(
        _WALKER,
        rows=28,
        cols=56,
        pitch_mm=18.0,
        rate_hz=60.0,
        adc_bits=8,
        gain_kpa=2.0,
        noise_counts=1.0,
        crosstalk_frac=0.02,
        pass_gap_s=2.0,
        subject_id="SIM-VELOSTAT",
    ),
}
PRESETS |= {  # issue 13: other strikes, speeds, sides and sensors
    "midfoot-runner": dataclasses.replace(
        _RUNNER,
        strike="midfoot",
        foot_flat_ms=90.0,
        belt_speed_m_s=3.0,
        cadence_spm=170.0,
        stance_ms=245.0,
        subject_id="SIM-MIDFOOT",
    ),
    "asymmetric-runner": dataclasses.replace(_RUNNER, foot_flat_ms=70.0, foot_flat_right_extra_ms=40.0, subject_id="SIM-ASYM"),
    "fast-runner": dataclasses.replace(
        _RUNNER,
        foot_flat_ms=40.0,
        belt_speed_m_s=4.5,
        cadence_spm=180.0,
        stance_ms=190.0,
        subject_id="SIM-FAST",
    ),
    "devkit-walker": dataclasses.replace(
        PRESETS["walker"],
        rows=48,
        cols=120,
        pitch_mm=12.5,
        rate_hz=50.0,
        adc_bits=8,
        gain_kpa=3.0,
        noise_counts=0.1,
        offset_max_counts=1.0,
        pass_gap_s=2.0,
    ),
    "lab-walker": dataclasses.replace(PRESETS["walker"], adc_bits=16, gain_kpa=0.025, noise_counts=12.8, offset_max_counts=64.0),
}


#: Sensors from clean to bad (docs/simulator.md), as :class:`SimConfig` overrides in ADC
#: counts: ``simulate(preset, **SENSOR_LEVELS["velostat"])``. ``clean`` is every preset's
#: own sensor (no overrides); ``velostat`` a typical low-cost Velostat mat on a 10-bit ADC (noise about
#: 4 kPa, saturation near 410 kPa); ``bad`` one too noisy for gait analysis.
SENSOR_LEVELS: dict[str, dict[str, float | int]] = {
    "clean": {},  # the five original presets: 12-bit, 0.4 kPa/count, noise 0.8 counts, 4 dead cells, 1 % crosstalk
    "velostat": dict(adc_bits=10, gain_kpa=0.4, noise_counts=10.0, dead_cells=30, stuck_cells=0, crosstalk_frac=0.03),
    "bad": dict(adc_bits=10, gain_kpa=0.4, noise_counts=40.0, dead_cells=150, stuck_cells=10, crosstalk_frac=0.08),
}


@dataclass(frozen=True)
class StepTruth:
    """Ground truth of one simulated step. Times in s from the first frame, lengths in mm.

    ``ff_s`` and ``ho_s`` are NaN when the heel never loads (``heel_loaded`` False).
    ``cop_foot_mm`` is the true CoP at 0, 1, ..., 100 % of stance in the foot coordinates
    of docs/metrics.md: along the functional axis, from the heel's pressure centre to the
    metatarsal heads' (their blob centres weighted by their impulses over the stance), ``x``
    from the rear edge of the step's loaded footprint (where the noise-free pressure ever
    exceeds :data:`NOISE_KPA`) projected on it, ``y`` from the axis, medial positive.
    ``footprint_rear_mm`` is that edge, along the axis, in front of the anatomical heel edge
    (the foot model's origin, where ``origin_x_mm``, ``origin_y_mm`` lie and
    ``strike_index_pct`` measures from along the anatomical axis).
    ``progression_angle_deg`` is the functional axis's toe-out.
    """

    side: int
    ic_s: float
    forefoot_contact_s: float
    ff_s: float
    ho_s: float
    to_s: float
    heel_forefoot_change_s: float
    heel_loaded: bool
    strike_index_pct: float
    foot_length_mm: float
    foot_width_mm: float
    progression_angle_deg: float
    origin_x_mm: float
    origin_y_mm: float
    footprint_rear_mm: float
    belt_displacement_mm: float
    cut: bool
    peak_force_n: float
    cop_foot_mm: np.ndarray

    @property
    def stance_s(self) -> float:
        """Toe off minus initial contact, s."""
        return self.to_s - self.ic_s

    @property
    def transition_ms(self) -> float:
        """Loading-to-propulsion transition (HO - FF) in ms; 0 when the heel never loads."""
        return (self.ho_s - self.ff_s) * 1000.0 if self.heel_loaded else 0.0


_STEP_KEYS = {f.name: f"step_{f.name}" for f in dataclasses.fields(StepTruth)}


def truth_steps(truth: dict[str, np.ndarray]) -> list[StepTruth]:
    """Typed view of a truth dictionary (e.g. ``Recording.truth``)."""
    n = len(truth["step_side"])
    steps = []
    for k in range(n):
        values = {name: truth[key][k] for name, key in _STEP_KEYS.items()}
        values["side"] = int(values["side"])
        values["heel_loaded"] = bool(values["heel_loaded"])
        values["cut"] = bool(values["cut"])
        values["cop_foot_mm"] = np.asarray(values["cop_foot_mm"])
        for name, value in values.items():
            if isinstance(value, np.floating):
                values[name] = float(value)
        steps.append(StepTruth(**values))
    return steps


@dataclass(frozen=True)
class _TemplateEvents:
    ic: float
    ff: float
    ho: float
    to: float


def _template_events(gait: str, strike: str) -> _TemplateEvents:
    u = np.linspace(0.0, 1.0, 20001)
    loads = load_template(u, gait=gait, strike=strike)
    total = loads.sum(axis=0)
    level = _THRESHOLD_FRAC * total.max()
    ic, to = _crossings(u, total, level)
    rear_on, rear_off = _crossings(u, loads[_REAR].sum(axis=0), level)
    fore_on, _ = _crossings(u, loads[_FORE].sum(axis=0), level)
    return _TemplateEvents(ic, max(rear_on, fore_on), rear_off, to)


class _Step(StepPose):
    """One simulated step of the blob model: timing, warp, pose and truth."""

    def __init__(
        self, index: int, side: int, t_ic: float, stance_s: float, foot_flat_s: float | None, origin: np.ndarray, cfg: SimConfig, template: _TemplateEvents
    ) -> None:
        self.index = index
        self.side = side
        self.cfg = cfg
        scale = stance_s / (template.to - template.ic)
        self.t_on = t_ic - template.ic * scale
        self.t_off = t_ic + stance_s + (1.0 - template.to) * scale
        knots_t = [self.t_on, t_ic]
        knots_u = [0.0, template.ic]
        if foot_flat_s is not None and np.isfinite(template.ho):
            t_ff = t_ic + (template.ff - template.ic) * scale
            t_ho = min(t_ff + foot_flat_s, t_ic + stance_s - 0.25 * (template.to - template.ho) * scale - 1e-3)
            knots_t += [t_ff, t_ho]
            knots_u += [template.ff, template.ho]
        knots_t += [t_ic + stance_s, self.t_off]
        knots_u += [template.to, 1.0]
        self.warp = PchipInterpolator(knots_t, knots_u)
        self.origin = origin  # heel origin at first contact, mat mm
        self.heading = np.deg2rad(cfg.progression_angle_deg) * (1.0 if side == 0 else -1.0)
        self.lateral = -1.0 if side == 0 else 1.0  # foot-medial y -> mat y
        self.centres, self.axes = blob_geometry(cfg.foot_length_mm, cfg.foot_width_mm)
        self.body_weight_n = cfg.body_mass_kg * GRAVITY_M_S2

    def loads_n(self, t: np.ndarray) -> np.ndarray:
        """Blob loads ``(n_blobs, len(t))`` in N."""
        t = np.asarray(t, dtype=float)
        inside = (t > self.t_on) & (t < self.t_off)
        u = np.where(inside, self.warp(np.clip(t, self.t_on, self.t_off)), -1.0)
        loads = load_template(u, gait=self.cfg.gait, strike=self.cfg.strike) * self.body_weight_n
        return loads * inside

    def heel_and_axis(self, impulses_n_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Heel pressure centre and functional axis (:func:`~mat_sim.footmodel.functional_axis`)."""
        return functional_axis(impulses_n_s, self.centres)

    def region_forces_n(self, loads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rearfoot and forefoot force: every blob lies inside one region."""
        return loads[_REAR].sum(axis=0), loads[_FORE].sum(axis=0)

    def rear_edge_mm(self, loads: np.ndarray, axis: np.ndarray) -> float:
        """Rear edge of the step's loaded footprint along ``axis`` (:func:`~mat_sim.footmodel.loaded_rear_edge_mm`)."""
        return loaded_rear_edge_mm(loads.max(axis=1), self.centres, self.axes, axis=axis, threshold_kpa=NOISE_KPA)

    def add_pressure_kpa(self, field: np.ndarray, time_s: float, shift_mm: float, pitch_mm: float, sub_offsets: np.ndarray) -> None:
        """Add this foot's mean pressure over each cell at ``time_s`` to ``field`` (kPa)."""
        rows, cols = field.shape
        loads = self.loads_n(np.array([time_s]))[:, 0]
        centres = self.to_mat(self.centres, shift_mm)
        for load, (cx, cy), (a, b) in zip(loads, centres, self.axes):
            if load <= 0:
                continue
            reach = max(a, b)
            c0, c1 = int(max(0, (cx - reach) // pitch_mm)), int(min(cols, (cx + reach) // pitch_mm + 1))
            r0, r1 = int(max(0, (cy - reach) // pitch_mm)), int(min(rows, (cy + reach) // pitch_mm + 1))
            if c0 >= c1 or r0 >= r1:
                continue
            xs = ((np.arange(c0, c1)[:, None] + 0.5 + sub_offsets[None, :]) * pitch_mm).ravel()
            ys = ((np.arange(r0, r1)[:, None] + 0.5 + sub_offsets[None, :]) * pitch_mm).ravel()
            dx, dy = xs[None, :] - cx, ys[:, None] - cy
            c, s = np.cos(self.heading), np.sin(self.heading)
            along = (c * dx + s * dy) / a
            across = (-s * dx + c * dy) / b
            r = np.sqrt(along**2 + across**2)
            shape = np.where(r < 1.0, np.cos(0.5 * np.pi * np.minimum(r, 1.0)) ** 2, 0.0)
            k = _SUPERSAMPLE
            cell = shape.reshape(r1 - r0, k, c1 - c0, k).mean(axis=(1, 3))
            field[r0:r1, c0:c1] += cell * load / (a * b * RAISED_COSINE_INTEGRAL) * 1000.0


class Simulation:
    """A simulated session: frames rendered on demand, truth computed up front.

    Build it with :func:`simulate`. :meth:`render` is deterministic per frame, so any
    chunking gives the same frames; :meth:`recording` wraps it as a lazy
    :class:`~mat_driver.model.Recording` with the truth attached.
    """

    def __init__(self, config: SimConfig, seed: int, preset: str = "custom") -> None:
        self.config = config
        self.seed = seed
        self.preset = preset
        cfg = config
        rng = np.random.default_rng([seed, 1])
        self.geometry = Geometry(cfg.rows, cfg.cols, cfg.pitch_mm, cfg.pitch_mm, "cols")
        self.rate_hz = cfg.rate_hz
        self.calibration = Calibration(gain_kpa=cfg.gain_kpa, calibrated=True, source=f"simulator gain {cfg.gain_kpa:g} kPa/count")
        self.metadata = Metadata(
            subject_id=cfg.subject_id,
            condition=cfg.condition,
            setup=cfg.setup,
            belt_speed_m_s=cfg.belt_speed_m_s if cfg.setup == "treadmill" else None,
            body_mass_kg=cfg.body_mass_kg,
            device_model="pressure-mat simulator",
            device_serial=f"SIM-{seed}",
            adc_bits=cfg.adc_bits,
            software_version=__version__,
            start_utc="2026-01-01T09:00:00+00:00",
            notes=f"simulated: preset {preset}, seed {seed}",
        )
        n_all = int(round(cfg.duration_s * cfg.rate_hz))
        kept = np.arange(n_all)
        if cfg.drop_fraction:
            kept = kept[rng.random(n_all) >= cfg.drop_fraction]
        self._frame_index = kept
        self.frame_time_s = kept / cfg.rate_hz
        self.n_frames = int(kept.size)
        self.counter = kept.astype(np.int64)
        self.host_time_s = self.frame_time_s + rng.uniform(0, cfg.host_jitter_ms / 1000.0, kept.size)
        self.host_time_s -= self.host_time_s[0] if kept.size else 0.0
        self.host_time_s = np.maximum.accumulate(self.host_time_s)
        self._offsets = rng.uniform(0, cfg.offset_max_counts, self.geometry.shape)
        dead = rng.choice(cfg.rows * cfg.cols, size=cfg.dead_cells, replace=False)
        self._dead = np.zeros(self.geometry.shape, bool)
        self._dead.flat[dead] = True
        # stuck cells from their own stream, so that adding them changes nothing else
        stuck_rng = np.random.default_rng([seed, 4])
        self._stuck = np.zeros(self.geometry.shape, bool)
        self._stuck.flat[stuck_rng.choice(np.flatnonzero(~self._dead), size=cfg.stuck_cells, replace=False)] = True
        top = float((1 << cfg.adc_bits) - 1)
        self._stuck_counts = stuck_rng.uniform(0.25 * top, top, cfg.stuck_cells)
        self._template = _template_events(cfg.gait, cfg.strike) if cfg.foot_model == "blobs" else None
        self._anatomy_rng = np.random.default_rng([seed, 3])  # the plantar model's per-step anatomy
        self.steps = self._plan_steps(rng)
        self._belt_t, self._belt_x = self._belt(n_all)
        if cfg.foot_model == "plantar":
            plantar.place_regions(self.steps, [not self._cut(step) for step in self.steps])
        self.truth = self._truth()

    # ---- planning ------------------------------------------------------------------
    def _plan_steps(self, rng: np.random.Generator) -> list[_Step]:
        cfg = self.config
        step_time = 60.0 / cfg.cadence_spm
        mat_x = cfg.cols * cfg.pitch_mm
        mat_y = cfg.rows * cfg.pitch_mm
        steps: list[_Step] = []
        t = rng.uniform(-0.5, 0.0) * step_time
        side = int(rng.integers(2)) if cfg.hop_side is None else cfg.hop_side
        lane_mm = 0.0 if cfg.hop_side is not None else 0.5 * cfg.step_width_mm  # hops land on the midline
        x_walk = None
        while t < cfg.duration_s + step_time:
            stance = cfg.stance_ms / 1000.0 * (1.0 + cfg.stance_sd_frac * rng.standard_normal())
            foot_flat = None
            if cfg.foot_flat_ms is not None:
                lag_ms = cfg.foot_flat_ms + (cfg.foot_flat_right_extra_ms if side == 1 else 0.0)
                foot_flat = max(0.005, (lag_ms + cfg.foot_flat_sd_ms * rng.standard_normal()) / 1000.0)
            y = mat_y / 2.0 + (lane_mm if side == 0 else -lane_mm) + cfg.placement_sd_mm * rng.standard_normal()
            if cfg.setup == "treadmill":
                travel = cfg.belt_speed_m_s * stance * 1000.0
                x = (mat_x - cfg.foot_length_mm + travel) / 2.0 + cfg.placement_sd_mm * rng.standard_normal()
            else:
                if x_walk is None or x_walk > mat_x:
                    if x_walk is not None:  # turn around and come back for another pass
                        t += cfg.pass_gap_s
                    x_walk = -cfg.foot_length_mm * rng.uniform(0.3, 1.0)
                x = x_walk
                x_walk += cfg.walk_speed_m_s * step_time * 1000.0
            steps.append(self._new_step(len(steps), side, t, stance, foot_flat, np.array([x, y])))
            t += step_time * (1.0 + cfg.step_time_sd_frac * rng.standard_normal())
            side = side if cfg.hop_side is not None else 1 - side
        return steps

    def _new_step(self, index: int, side: int, t_ic: float, stance_s: float, foot_flat_s: float | None, origin: np.ndarray) -> _Step | plantar.PlantarStep:
        cfg = self.config
        if cfg.foot_model == "plantar":
            offset = 0.0
            if cfg.foot_flat_ms is not None and cfg.strike != "forefoot":
                nominal_ms = cfg.foot_flat_ms + (cfg.foot_flat_right_extra_ms if side == 1 else 0.0)
                offset = plantar.lag_offset_s(cfg, nominal_ms / 1000.0)
            anatomy = plantar.Anatomy.draw(self._anatomy_rng)
            return plantar.PlantarStep(index, side, t_ic, stance_s, foot_flat_s, origin, cfg, anatomy, offset)
        return _Step(index, side, t_ic, stance_s, foot_flat_s, origin, self.config, self._template)

    def _belt(self, n_all: int) -> tuple[np.ndarray, np.ndarray]:
        """Belt displacement (mm) on a 1 kHz grid; the belt slows under load."""
        cfg = self.config
        t = np.arange(-2.0, cfg.duration_s + 2.0, 1e-3)
        if cfg.setup != "treadmill":
            return t, np.zeros_like(t)
        force = np.zeros_like(t)
        for step in self.steps:  # each step's loads are 0 outside its contact: add them there only
            contact = (t > step.t_on) & (t < step.t_off)
            force[contact] += step.loads_n(t[contact]).sum(axis=0)
        peak = force.max() if force.size and force.max() > 0 else 1.0
        speed = cfg.belt_speed_m_s * (1.0 - cfg.belt_dip_frac * force / peak)
        x = np.concatenate([[0.0], np.cumsum(0.5 * (speed[1:] + speed[:-1]) * np.diff(t))]) * 1000.0
        return t, x - np.interp(0.0, t, x)

    def belt_mm(self, t: np.ndarray | float) -> np.ndarray:
        """Belt displacement since the first frame, mm (0 on a walkway)."""
        return np.interp(t, self._belt_t, self._belt_x)

    # ---- truth ---------------------------------------------------------------------
    def _truth(self) -> dict[str, np.ndarray]:
        rows = [self._step_truth(step) for step in self.steps]
        truth: dict[str, np.ndarray] = {}
        for name, key in _STEP_KEYS.items():
            values = [getattr(r, name) for r in rows]
            if name == "cop_foot_mm":
                truth[key] = np.array(values).reshape(len(rows), 101, 2)
            elif name in ("side",):
                truth[key] = np.array(values, np.int8)
            elif name in ("heel_loaded", "cut"):
                truth[key] = np.array(values, bool)
            else:
                truth[key] = np.array(values, float)
        t = self.frame_time_s
        truth["frame_force_n"] = sum((s.loads_n(t).sum(axis=0) for s in self.steps), np.zeros_like(t))
        speed = np.gradient(self._belt_x, self._belt_t) / 1000.0
        truth["frame_belt_speed_m_s"] = np.interp(t, self._belt_t, speed)
        truth["frame_belt_displacement_mm"] = self.belt_mm(t)
        return truth

    def _step_truth(self, step: _Step | plantar.PlantarStep) -> StepTruth:
        t = step.truth_grid_s(_TRUTH_DT_S)
        loads = step.loads_n(t)
        total = loads.sum(axis=0)
        level = _THRESHOLD_FRAC * total.max()
        ic, to = _crossings(t, total, level)
        rear, fore = step.region_forces_n(loads)
        rear_on, ho = _crossings(t, rear, level)
        fore_on, _ = _crossings(t, fore, level)
        heel_loaded = bool(np.isfinite(rear_on))
        ff = max(rear_on, fore_on) if heel_loaded else np.nan
        ho = ho if heel_loaded else np.nan
        after = np.flatnonzero((fore > rear) & (t >= ic))
        change = float(t[after[0]]) if after.size else np.nan
        grid = ic + np.linspace(0.0, 1.0, 101) * (to - ic)
        at = step.loads_n(grid)
        cop = (at.T @ step.centres) / at.sum(axis=0)[:, None]  # foot-model coordinates
        heel, axis = step.heel_and_axis(loads.sum(axis=1) * _TRUTH_DT_S)
        rear_edge = step.rear_edge_mm(loads, axis)
        medial = np.array([-axis[1], axis[0]])
        cop_foot = np.column_stack([cop @ axis - rear_edge, (cop - heel) @ medial])
        cfg = self.config
        cut = self._cut(step)
        return StepTruth(
            side=step.side,
            ic_s=ic,
            forefoot_contact_s=fore_on,
            ff_s=ff,
            ho_s=ho,
            to_s=to,
            heel_forefoot_change_s=change,
            heel_loaded=heel_loaded,
            strike_index_pct=100.0 * cop[0, 0] / cfg.foot_length_mm,
            foot_length_mm=cfg.foot_length_mm,
            foot_width_mm=cfg.foot_width_mm,
            progression_angle_deg=cfg.progression_angle_deg - float(np.degrees(np.arctan2(axis[1], axis[0]))),
            origin_x_mm=float(step.origin[0]),
            origin_y_mm=float(step.origin[1]),
            footprint_rear_mm=rear_edge,
            belt_displacement_mm=float(self.belt_mm(to) - self.belt_mm(ic)),
            cut=cut,
            peak_force_n=float(total.max()),
            cop_foot_mm=cop_foot,
        )

    def _cut(self, step: _Step) -> bool:
        """True if the stance leaves the mat or the recording."""
        if step.t_on < 0.0 or step.t_off > self.config.duration_s:
            return True
        corners = np.concatenate([step.centres + step.axes * np.array(sign) for sign in ((1, 1), (1, -1), (-1, 1), (-1, -1))])
        shifts = self.belt_mm(np.array([step.t_on, step.t_off])) - self.belt_mm(step.t_on)
        size = np.array([self.config.cols, self.config.rows]) * self.config.pitch_mm
        for shift in shifts:
            xy = step.to_mat(corners, shift)
            if np.any(xy < 0) or np.any(xy > size):
                return True
        return False

    # ---- rendering -----------------------------------------------------------------
    @cached_property
    def _sub_offsets(self) -> np.ndarray:
        k = _SUPERSAMPLE
        return (np.arange(k) + 0.5) / k - 0.5

    def _pressure_kpa(self, time_s: float) -> np.ndarray:
        """True mean pressure over each cell at one instant, kPa, shape (rows, cols)."""
        cfg = self.config
        field = np.zeros((cfg.rows, cfg.cols))
        belt = float(self.belt_mm(time_s))
        for step in self.steps:
            if step.t_on < time_s < step.t_off:
                step.add_pressure_kpa(field, time_s, belt - float(self.belt_mm(step.t_on)), cfg.pitch_mm, self._sub_offsets)
        return field

    def render(self, start: int, stop: int) -> np.ndarray:
        """Raw ADC frames ``[start, stop)`` as uint16 ``(stop - start, rows, cols)``."""
        cfg = self.config
        stop = min(stop, self.n_frames)
        out = np.zeros((max(stop - start, 0), cfg.rows, cfg.cols), np.uint16)
        top = float((1 << cfg.adc_bits) - 1)
        for i, frame in enumerate(range(start, stop)):
            signal = self._pressure_kpa(float(self.frame_time_s[frame])) / cfg.gain_kpa
            if cfg.crosstalk_frac:
                signal = add_crosstalk(signal, cfg.crosstalk_frac)
            noise = np.random.default_rng([self.seed, 2, int(self._frame_index[frame])]).standard_normal(signal.shape)
            counts = np.rint(signal + self._offsets + cfg.noise_counts * noise)
            counts[self._dead] = 0
            if cfg.stuck_cells:
                counts[self._stuck] = np.rint(self._stuck_counts + cfg.noise_counts * noise[self._stuck])
            out[i] = np.clip(counts, 0, top)
        return out

    @property
    def dead_cells(self) -> np.ndarray:
        """``(rows, cols)`` bool: the cells that always read 0."""
        return self._dead.copy()

    @property
    def stuck_cells(self) -> np.ndarray:
        """``(rows, cols)`` bool: the cells that read a fixed high count whatever the load."""
        return self._stuck.copy()

    def recording(self) -> Recording:
        """The session as a Recording whose frames are rendered when read."""
        return Recording(
            frames=RenderedFrames(self.render, self.n_frames, self.geometry.shape, np.uint16),
            host_time_s=self.host_time_s,
            counter=self.counter,
            device_time_s=self.frame_time_s.copy(),
            geometry=self.geometry,
            rate_hz=self.rate_hz,
            calibration=dataclasses.replace(self.calibration, tare=self._offsets.astype(np.float32)),
            metadata=self.metadata,
            gaps=_gaps(self._frame_index, self.frame_time_s),
            truth=self.truth,
        )


def add_crosstalk(signal: np.ndarray, fraction: float) -> np.ndarray:
    """``signal`` (cells on its last two axes) plus ``fraction`` of each cell's 4 edge
    neighbours' signal: what a mat with that crosstalk reads.

    Examples
    --------
    >>> add_crosstalk(np.array([[0.0, 0.0, 0.0], [0.0, 100.0, 0.0]]), 0.05).tolist()
    [[0.0, 5.0, 0.0], [5.0, 100.0, 5.0]]
    """
    bleed = np.zeros_like(signal)
    bleed[..., 1:, :] += signal[..., :-1, :]
    bleed[..., :-1, :] += signal[..., 1:, :]
    bleed[..., :, 1:] += signal[..., :, :-1]
    bleed[..., :, :-1] += signal[..., :, 1:]
    return signal + fraction * bleed


def _gaps(kept: np.ndarray, time_s: np.ndarray) -> Gaps:
    """Gaps left by dropped frames (``kept`` are the frame numbers that were sent)."""
    jumps = np.flatnonzero(np.diff(kept) > 1) + 1
    return Gaps(
        frame_index=jumps.astype(np.int64),
        missing=(kept[jumps] - kept[jumps - 1] - 1).astype(np.int64),
        duration_s=(time_s[jumps] - time_s[jumps - 1]).astype(float),
    )


def simulate(preset: str | SimConfig, *, seed: int = 0, duration_s: float | None = None, **overrides: object) -> Simulation:
    """Simulate a session.

    Parameters
    ----------
    preset
        A name from :data:`PRESETS` or a :class:`SimConfig`.
    seed
        Same seed, same session.
    duration_s
        Length in s (default: the preset's).
    **overrides
        Any :class:`SimConfig` field, e.g. ``foot_flat_ms=80.0`` or ``rows=64``.

    Examples
    --------
    >>> sim = simulate("trained-runner", seed=1, duration_s=3.0)
    >>> sim.n_frames, sim.geometry.shape
    (300, (56, 160))
    """
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; presets: {', '.join(PRESETS)}")
        config, name = PRESETS[preset], preset
    else:
        config, name = preset, "custom"
    if duration_s is not None:
        overrides["duration_s"] = duration_s
    unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(SimConfig)})
    if unknown:
        raise ValueError(f"unknown simulator setting {', '.join(unknown)}")
    return Simulation(dataclasses.replace(config, **overrides), seed, name)
