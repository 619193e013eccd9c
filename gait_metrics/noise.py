"""The mat's noise, cell by cell: each cell's zero, its noise SD, and dead and stuck cells.

Low-cost mats (Velostat on a 10-bit ADC) read several counts of noise on every cell and
frame; a fixed loaded level near the noise makes a tenth of all cells "loaded" in every
frame and merges a whole session into one contact. So every cell gets its own level, from
its own noise:

- A sample of frames (blocks spread over the recording) is sorted cell by cell. Loads
  only add to a cell's reading, and every cell of a gait recording is unloaded most of the
  time, so its unloaded readings are the lower part of its distribution: each round keeps
  the readings at most 3 SDs above the median of the last round's (the first round: of
  all readings, with the larger of the mat's median SD and the cell's own from its lower
  quartile, both blind to a foot on the cell up to a quarter of the time) and
  takes their median (the cell's zero, when the recording has no tare) and their
  normal-consistent MAD (the noise SD = 1.4826 MAD; Rousseeuw and Croux 1993, Leys et al.
  2013), taken on the upper side: the 75th percentile minus the median, which is the MAD
  of symmetric noise. The lower side cannot serve: the ADC clips readings below 0, and a
  cell whose zero lies within a noise SD of 0 reads 0 a third of the time or more. Four
  rounds settle it. Noise under an ADC count cannot be measured: a cell whose unloaded
  readings take at most two adjacent values (an offset near a half count toggles between
  them) gets an SD of 0, so that a coarse ADC's rounding does not raise its level; and no
  cell's SD exceeds 4 times the mat's median SD (a cell that much noisier than the mat is
  lightly loaded often, which a coarse ADC cannot tell from noise).
- A cell is loaded while its reading exceeds its zero by the larger of the configured
  floor (``AnalysisConfig.noise_kpa``) and ``k`` noise SDs (``AnalysisConfig.noise_k``,
  default 4: a one-sided Gaussian tail of 3e-5, a third of a cell per frame on a 9,000-cell
  mat). A cell over ``k_edge`` SDs (``AnalysisConfig.noise_k_edge``, default 2) next to a
  loaded one joins it (hysteresis, as in Canny's edge detector), so that a footprint keeps
  its low-pressure edge, which decides when a region's force crosses its event level.
- Dead cells never change (the same reading in every sampled frame) while the mat's
  cells show their noise (or, on a mat whose noise is under its ADC's resolution, while 3
  of their 4 edge neighbours are loaded in a sampled frame); stuck cells are loaded in at least 95 % of the sampled frames while fewer than 3
  of their 8 neighbours are loaded half of the time (a person standing still loads whole
  feet). Both stay out of the segmentation; a dead cell under a foot is filled from its
  neighbours (:func:`gait_metrics.cop.read_loaded_cells`).

A recording with a tare (``mat record --tare``) keeps the tare as its zero. Without one, a
cell whose zero would exceed 5 % of the recording's 99.9th percentile reading is under a
foot most of the time (someone standing) and keeps zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from mat_driver.model import Calibration, Recording

__all__ = ["NoiseModel", "estimate_noise", "floor_counts", "LOADED_FRACTION", "STUCK_SHARE"]

#: Cells whose zero would exceed this fraction of the recording's 99.9th percentile reading
#: are taken as loaded, not offset, and keep zero.
LOADED_FRACTION = 0.05
#: A cell loaded in at least this share of the sampled frames, with few loaded neighbours, is stuck.
STUCK_SHARE = 0.95
#: Readings sampled: blocks of consecutive frames spread over the recording (contiguous
#: reads from a file), at most ``SAMPLE_BLOCKS * BLOCK_FRAMES`` frames.
SAMPLE_BLOCKS, BLOCK_FRAMES = 20, 16
_ROUNDS = 4
_CLIP_SD = 3.0
_MAD_SD = 1.0 / 0.6744897501960817  # normal-consistent: SD = MAD / Phi^-1(3/4)
#: Unloaded readings spanning at most this many counts show the ADC's rounding, not noise.
_RESOLVED_SPAN = 1
#: A cell's SD is at most this many times the mat's median SD.
_SD_CAP = 4.0


@dataclass(frozen=True, eq=False)
class NoiseModel:
    """Per-cell zero, noise and loaded level of a mat, each ``(rows, cols)``.

    ``zero`` is the estimated zero (counts, float32) of a recording without a tare, ``None``
    when the recording's tare is used (or the mat reads zero when empty). ``sd_counts`` is
    each cell's noise SD (counts), ``level_counts`` the reading above the zero at which it
    is loaded: the larger of ``floor_counts`` (the configured floor) and ``k`` SDs;
    ``edge_counts`` the lower level (``k_edge`` SDs, at least the floor) at which a cell
    next to a loaded one joins it (a footprint's edge).
    ``dead`` and ``stuck`` mark cells kept out of the segmentation; ``sampled_frames`` is
    how many frames the estimate saw.
    """

    zero: np.ndarray | None
    sd_counts: np.ndarray
    level_counts: np.ndarray
    edge_counts: np.ndarray
    dead: np.ndarray
    stuck: np.ndarray
    floor_counts: float
    k: float
    sampled_frames: int

    @property
    def blocked(self) -> np.ndarray:
        """Cells never loaded: dead or stuck."""
        return self.dead | self.stuck

    @property
    def needs_support(self) -> np.ndarray:
        """Cells whose level is set by their noise, not the floor: a lone loaded one is noise."""
        return self.level_counts > self.floor_counts

    def counts_to_kpa(self, counts: np.ndarray, calibration: Calibration) -> np.ndarray:
        """Pressure of readings ``counts`` above the zero (kPa; raw units when uncalibrated)."""
        scale = calibration.gain_kpa if calibration.calibrated else 1.0
        return scale * np.maximum(counts, 0.0) ** calibration.exponent

    @classmethod
    def uniform(cls, shape: tuple[int, int], floor: float) -> "NoiseModel":
        """A mat without noise: the floor everywhere, no dead or stuck cells."""
        none = np.zeros(shape, bool)
        level = np.full(shape, floor, np.float32)
        return cls(None, np.zeros(shape, np.float32), level, level.copy(), none, none.copy(), floor, 0.0, 0)


def floor_counts(calibration: Calibration, noise_kpa: float) -> float:
    """The configured floor ``noise_kpa`` in counts above the zero."""
    scale = calibration.gain_kpa if calibration.calibrated else 1.0
    return float((noise_kpa / scale) ** (1.0 / calibration.exponent))


def _sample(recording: Recording) -> np.ndarray:
    """Up to ``SAMPLE_BLOCKS * BLOCK_FRAMES`` frames, ``(frames, cells)``."""
    n = recording.n_frames
    if n <= SAMPLE_BLOCKS * BLOCK_FRAMES:
        sample = recording.raw()
    else:
        starts = np.linspace(0, n - BLOCK_FRAMES, SAMPLE_BLOCKS).astype(np.int64)
        sample = np.concatenate([recording.raw(slice(int(s), int(s) + BLOCK_FRAMES)) for s in starts])
    return sample.reshape(len(sample), -1)


def _dead(sample: np.ndarray, ordered: np.ndarray, loaded_above: np.ndarray, sd: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Cells whose reading never changes from their zero, on a mat whose cells show their noise, or in a
    frame with at least 3 of their 4 edge neighbours loaded (under a foot, on a mat whose
    noise is under its ADC's resolution)."""
    constant = (ordered[:, 0] == ordered[:, -1]) & (ordered[:, -1] <= loaded_above)  # at its zero throughout
    if np.median(sd) > 0:
        return constant.reshape(shape)
    candidates = np.flatnonzero(constant)
    rows, cols = np.divmod(candidates, shape[1])
    loaded_count = np.zeros((len(sample), candidates.size), np.int8)
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        r, c = rows + dr, cols + dc
        inside = (r >= 0) & (r < shape[0]) & (c >= 0) & (c < shape[1])
        neighbour = np.where(inside, r * shape[1] + c, 0)
        loaded_count += (sample[:, neighbour] > loaded_above[neighbour]) & inside
    dead = np.zeros(ordered.shape[0], bool)
    dead[candidates] = (loaded_count >= 3).any(axis=0)
    return dead.reshape(shape)


def _quantile(ordered: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """Per row, the ``q`` quantile (linear interpolation) of the first ``n`` sorted values."""
    position = q * (n - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, n - 1)
    rows = np.arange(len(ordered))
    a, b = ordered[rows, low].astype(np.float64), ordered[rows, high].astype(np.float64)
    return a + (position - low) * (b - a)


def _count_at_most(ordered: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """Per row of sorted ``ordered``, how many values are at most ``bound`` (binary search)."""
    rows, m = np.arange(len(ordered)), ordered.shape[1]
    low, high = np.zeros(len(ordered), np.int64), np.full(len(ordered), m, np.int64)
    while np.any(low < high):
        middle = (low + high) // 2
        at_most = ordered[rows, np.minimum(middle, m - 1)] <= bound
        searching = low < high
        low = np.where(searching & at_most, middle + 1, low)
        high = np.where(searching & ~at_most, middle, high)
    return low


def estimate_noise(recording: Recording, *, noise_kpa: float, k: float, k_edge: float) -> NoiseModel:
    """Each cell's zero, noise SD and loaded level, and the dead and stuck cells.

    Parameters
    ----------
    recording
        Raw frames (read in a few blocks), its calibration (tare, gain) and geometry.
    noise_kpa
        The floor of the loaded level (kPa; raw units when uncalibrated).
    k
        Noise SDs above its zero at which a cell is loaded.
    k_edge
        Noise SDs above its zero at which a cell next to a loaded one is loaded too.

    Examples
    --------
    >>> from mat_driver.model import Geometry
    >>> rng = np.random.default_rng(0)
    >>> frames = np.rint(50 + 10 * rng.standard_normal((300, 4, 4))).astype(np.uint16)
    >>> frames[::3, 1, 1] += 2000           # a foot on one cell now and then
    >>> frames[:, 2, 2] = 0                 # a dead cell
    >>> rec = Recording(frames=frames, host_time_s=np.arange(300) / 100, geometry=Geometry(4, 4, 10.0, 10.0), rate_hz=100.0)
    >>> model = estimate_noise(rec, noise_kpa=5.0, k=4.0, k_edge=2.0)
    >>> round(float(model.zero[1, 1])), round(float(np.median(model.sd_counts)))
    (50, 10)
    >>> model.dead.nonzero(), bool(model.stuck.any())
    ((array([2]), array([2])), False)
    """
    calibration = recording.calibration
    floor = floor_counts(calibration, noise_kpa)
    shape = recording.geometry.shape
    if recording.n_frames == 0:
        return NoiseModel.uniform(shape, floor)
    sample = _sample(recording)
    ordered = np.ascontiguousarray(sample.T)
    ordered.sort(axis=1, kind="stable")  # each cell's readings; a radix sort for integer counts
    m = ordered.shape[1]
    n = np.full(len(ordered), m, np.int64)
    centre = _quantile(ordered, n, 0.5)
    upper = (_quantile(ordered, n, 0.75) - centre) * _MAD_SD
    sd = np.maximum(np.median(upper), (centre - _quantile(ordered, n, 0.25)) * _MAD_SD)
    for _ in range(_ROUNDS):
        n = np.maximum(_count_at_most(ordered, centre + _CLIP_SD * np.maximum(sd, 0.5)), 1)
        centre = _quantile(ordered, n, 0.5)
        sd = (_quantile(ordered, n, 0.75) - centre) * _MAD_SD
    span = ordered[np.arange(len(ordered)), n - 1].astype(np.float64) - ordered[:, 0]
    sd[span <= _RESOLVED_SPAN] = 0.0  # the ADC's rounding, not measurable noise
    np.minimum(sd, _SD_CAP * np.median(sd), out=sd)  # far noisier than the mat: light loads, not noise
    if calibration.tare is None:
        zero = centre
        zero[zero > LOADED_FRACTION * np.percentile(ordered, 99.9)] = 0.0
        estimated = zero.reshape(shape).astype(np.float32) if zero.any() else None
    else:
        zero, estimated = np.asarray(calibration.tare, np.float64).ravel(), None
    level = np.maximum(floor, k * sd)
    loaded_share = 1.0 - _count_at_most(ordered, zero + level) / m
    dead = _dead(sample, ordered, zero + level, sd, shape).ravel()
    half_loaded = (loaded_share >= 0.5).reshape(shape).astype(np.int8)
    loaded_neighbours = ndimage.convolve(half_loaded, np.ones((3, 3), np.int8), mode="constant") - half_loaded
    stuck = (loaded_share >= STUCK_SHARE).reshape(shape) & (loaded_neighbours < 3) & ~dead.reshape(shape)
    return NoiseModel(
        zero=estimated,
        sd_counts=sd.reshape(shape).astype(np.float32),
        level_counts=level.reshape(shape).astype(np.float32),
        edge_counts=np.maximum(floor, k_edge * sd).reshape(shape).astype(np.float32),
        dead=dead.reshape(shape),
        stuck=stuck,
        floor_counts=floor,
        k=float(k),
        sampled_frames=m,
    )
