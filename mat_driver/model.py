"""The recording model: geometry, calibration, metadata and the recording itself.

A :class:`Recording` is the one type every part of pressure-mat passes around. Its frames
may live in memory (a NumPy array, e.g. from the simulator) or on disk (an h5py dataset,
read lazily by :func:`mat_driver.recording.open_recording`); both slice the same way.

Axes are ``(frame, row, col)``. The walking (belt) direction runs along increasing index
of ``Geometry.walk_axis``; the grid is a top view of the mat.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Sequence

import numpy as np

from mat_driver.errors import CalibrationError, RecordingError

__all__ = [
    "FORMAT_VERSION",
    "SETUPS",
    "Geometry",
    "Calibration",
    "MAX_CROSSTALK_FRAC",
    "Metadata",
    "Gaps",
    "FrameArray",
    "RenderedFrames",
    "Recording",
]

#: Version of the on-disk layout written by this software (see docs/file-format.md).
FORMAT_VERSION = 1

#: Recording setups: mat under a treadmill belt, overground walkway, in-shoe insole.
SETUPS = ("treadmill", "walkway", "insole")

WalkAxis = Literal["rows", "cols"]

#: Crosstalk fractions must stay under this: at 0.25 a cell's 4 neighbours read as much as
#: the cell itself and the leakage can no longer be inverted.
MAX_CROSSTALK_FRAC = 0.25


class FrameArray(Protocol):
    """What a recording's frames support: a NumPy array or an h5py dataset."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    @property
    def dtype(self) -> Any: ...

    def __getitem__(self, key: Any) -> Any: ...


class RenderedFrames:
    """Frames made on demand by ``render(start, stop) -> (stop - start, rows, cols)`` array.

    Lets a generator (the simulator) stand in for stored frames without holding them all.
    Supports integer and contiguous slice indexing along the frame axis.
    """

    def __init__(self, render: Any, n_frames: int, frame_shape: tuple[int, int], dtype: Any) -> None:
        self._render = render
        self.shape = (n_frames, *frame_shape)
        self.dtype = np.dtype(dtype)

    def __getitem__(self, key: Any) -> np.ndarray:
        first, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        if isinstance(first, (int, np.integer)):
            index = range(self.shape[0])[first]
            at_index = (0, *rest)
            return self._render(index, index + 1)[at_index]
        if isinstance(first, slice):
            start, stop, step = first.indices(self.shape[0])
            if step < 0:
                raise TypeError("rendered frames do not support reversed slices")
            block = self._render(start, max(start, stop))
            strided = (slice(None, None, step), *rest)
            return block[strided]
        raise TypeError(f"rendered frames support int or slice indexing, got {type(first).__name__}")


@dataclass(frozen=True)
class Geometry:
    """Sensor grid geometry.

    Parameters
    ----------
    rows, cols
        Grid size in cells.
    pitch_row_mm, pitch_col_mm
        Centre-to-centre cell spacing in mm along the row index and the column index.
    walk_axis
        ``"cols"`` if walking (or the belt's top surface moving backwards) runs along
        increasing column index, ``"rows"`` if along increasing row index.
    """

    rows: int
    cols: int
    pitch_row_mm: float
    pitch_col_mm: float
    walk_axis: WalkAxis = "cols"

    def __post_init__(self) -> None:
        if self.rows < 1 or self.cols < 1:
            raise RecordingError(f"grid size must be at least 1x1, got {self.rows}x{self.cols}")
        if not (self.pitch_row_mm > 0 and self.pitch_col_mm > 0):
            raise RecordingError(f"cell pitch must be > 0 mm, got {self.pitch_row_mm} x {self.pitch_col_mm} mm")
        if self.walk_axis not in ("rows", "cols"):
            raise RecordingError(f"walk_axis must be 'rows' or 'cols', got {self.walk_axis!r}")

    @property
    def cell_area_mm2(self) -> float:
        """Area of one cell in mm^2."""
        return self.pitch_row_mm * self.pitch_col_mm

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``."""
        return (self.rows, self.cols)

    @property
    def pitch_along_mm(self) -> float:
        """Cell pitch along the walking axis, mm."""
        return self.pitch_col_mm if self.walk_axis == "cols" else self.pitch_row_mm

    @property
    def pitch_across_mm(self) -> float:
        """Cell pitch across the walking axis, mm."""
        return self.pitch_row_mm if self.walk_axis == "cols" else self.pitch_col_mm

    @property
    def cells_along(self) -> int:
        """Number of cells along the walking axis."""
        return self.cols if self.walk_axis == "cols" else self.rows

    @property
    def cells_across(self) -> int:
        """Number of cells across the walking axis."""
        return self.rows if self.walk_axis == "cols" else self.cols


@dataclass(frozen=True, eq=False)
class Calibration:
    """Raw ADC counts to pressure: ``kPa = gain_kpa * max(raw - tare, 0) ** exponent``.

    Parameters
    ----------
    gain_kpa
        kPa per (count ** exponent). Meaningless when ``calibrated`` is False.
    exponent
        Power-law exponent; 1 for a linear sensor.
    tare
        Per-cell zero in counts, shape ``(rows, cols)``, or ``None`` for zero.
    calibrated
        False when no calibration is known: pressure is then reported in raw counts and
        every result says so.
    source
        Free text: where the calibration came from (file, procedure, simulator).
    crosstalk_frac
        The mat's crosstalk: the fraction of a cell's signal that appears in each of its 4
        edge neighbours (0 <= frac < 0.25; 0 when unknown). Measured with a point load
        (:func:`mat_driver.calibration.estimate_crosstalk`); the analysis removes it.
    """

    gain_kpa: float = 1.0
    exponent: float = 1.0
    tare: np.ndarray | None = None
    calibrated: bool = False
    source: str = ""
    crosstalk_frac: float = 0.0

    def __post_init__(self) -> None:
        if not (np.isfinite(self.gain_kpa) and self.gain_kpa > 0):
            raise CalibrationError(f"calibration gain must be > 0 kPa per count, got {self.gain_kpa}")
        if not (np.isfinite(self.exponent) and self.exponent > 0):
            raise CalibrationError(f"calibration exponent must be > 0, got {self.exponent}")
        if not 0.0 <= self.crosstalk_frac < MAX_CROSSTALK_FRAC:
            raise CalibrationError(f"crosstalk fraction must be in [0, {MAX_CROSSTALK_FRAC:g}), got {self.crosstalk_frac}")

    @property
    def unit(self) -> str:
        """``"kPa"`` when calibrated, else ``"raw"``."""
        return "kPa" if self.calibrated else "raw"

    def apply(self, raw: np.ndarray) -> np.ndarray:
        """Convert raw counts (``(..., rows, cols)``) to pressure in :attr:`unit` as float32."""
        return self.convert(raw, None if self.tare is None else self.tare.astype(np.float32))

    def convert(self, raw: np.ndarray, tare: np.ndarray | None) -> np.ndarray:
        """Raw counts to pressure in :attr:`unit` as float32, with ``tare`` (float32 counts,
        broadcast against ``raw``; e.g. the tare of the cells ``raw`` came from) as the zero.

        The one place of the conversion's float32 operations, so that the analysis, which
        converts single loaded cells, gets :meth:`apply`'s values bit for bit.
        """
        values = np.array(raw, dtype=np.float32)
        if tare is not None:
            values -= tare
        np.maximum(values, 0.0, out=values)
        if self.exponent != 1.0:
            np.power(values, np.float32(self.exponent), out=values)
        if self.calibrated:
            values *= np.float32(self.gain_kpa)
        return values

    def with_tare(self, tare: np.ndarray | None) -> "Calibration":
        """A copy with another per-cell zero."""
        return dataclasses.replace(self, tare=tare)


@dataclass(frozen=True)
class Metadata:
    """Who, what and how of a recording. Units in the field names."""

    subject_id: str = ""
    condition: str = ""
    setup: str = "treadmill"
    belt_speed_m_s: float | None = None
    body_mass_kg: float | None = None
    device_model: str = ""
    device_serial: str = ""
    adc_bits: int = 12
    software_version: str = ""
    start_utc: str = ""
    notes: str = ""
    foot_side: str = ""

    def __post_init__(self) -> None:
        if self.foot_side not in ("", "left", "right"):
            raise RecordingError(f"foot side must be left, right or empty, got {self.foot_side!r}")
        if self.setup not in SETUPS:
            raise RecordingError(f"setup must be one of {', '.join(SETUPS)}, got {self.setup!r}")
        if self.belt_speed_m_s is not None and not (self.belt_speed_m_s >= 0):
            raise RecordingError(f"belt speed must be >= 0 m/s, got {self.belt_speed_m_s}")
        if self.body_mass_kg is not None and not (self.body_mass_kg > 0):
            raise RecordingError(f"body mass must be > 0 kg, got {self.body_mass_kg}")
        if not 1 <= self.adc_bits <= 16:
            raise RecordingError(f"ADC bits must be 1..16, got {self.adc_bits}")
        for name, value in vars(self).items():
            if isinstance(value, str) and "\x00" in value:
                raise RecordingError(f"{name} must not contain NUL characters")
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise RecordingError(f"{name} is not valid text (undecodable bytes?)") from None

    @property
    def adc_max(self) -> int:
        """Largest raw count the ADC can produce (saturation)."""
        return (1 << self.adc_bits) - 1


@dataclass(frozen=True, eq=False)
class Gaps:
    """Missing stretches of a recording.

    ``frame_index[k]`` is the index of the first frame after gap ``k``; ``missing[k]`` the
    number of frames lost there (from the device counter or the inter-frame time) and
    ``duration_s[k]`` the host time the gap spans.
    """

    frame_index: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    missing: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    duration_s: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))

    def __len__(self) -> int:
        return int(self.frame_index.size)

    @property
    def total_missing(self) -> int:
        """Frames lost over the whole recording."""
        return int(self.missing.sum())


@dataclass(eq=False)
class Recording:
    """A pressure-mat recording.

    Parameters
    ----------
    frames
        Raw ADC counts ``(n, rows, cols)``: a NumPy array or a lazily read h5py dataset.
    host_time_s
        Host monotonic time of each frame in s, starting at 0.
    counter
        Unwrapped device frame counter per frame (int64), or -1 where unknown.
    device_time_s
        Unwrapped device clock per frame in s, NaN where the protocol has none.
    geometry, calibration, metadata
        See :class:`Geometry`, :class:`Calibration`, :class:`Metadata`.
    rate_hz
        Nominal frame rate in Hz.
    gaps
        Dropped-frame gaps, see :class:`Gaps`.
    stats
        Recorder statistics (frames rejected, estimated rate and jitter, ...): name to number.
    truth
        Simulator ground truth as named arrays, or empty for real recordings.
    path
        The file the recording was read from, if any.
    """

    frames: FrameArray
    host_time_s: np.ndarray
    geometry: Geometry
    rate_hz: float
    counter: np.ndarray | None = None
    device_time_s: np.ndarray | None = None
    calibration: Calibration = field(default_factory=Calibration)
    metadata: Metadata = field(default_factory=Metadata)
    gaps: Gaps = field(default_factory=Gaps)
    stats: dict[str, float] = field(default_factory=dict)
    truth: dict[str, np.ndarray] = field(default_factory=dict)
    path: str | None = None
    _closer: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n = self.n_frames
        if len(self.frames.shape) != 3 or tuple(self.frames.shape[1:]) != self.geometry.shape:
            raise RecordingError(f"frames must have shape (n, {self.geometry.rows}, {self.geometry.cols}), got {tuple(self.frames.shape)}")
        self.host_time_s = np.asarray(self.host_time_s, dtype=np.float64)
        if self.host_time_s.shape != (n,):
            raise RecordingError(f"host_time_s must have {n} values, got {self.host_time_s.shape}")
        if self.counter is None:
            self.counter = np.full(n, -1, np.int64)
        if self.device_time_s is None:
            self.device_time_s = np.full(n, np.nan)
        if not self.rate_hz > 0:
            raise RecordingError(f"frame rate must be > 0 Hz, got {self.rate_hz}")

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.frames.shape[0])

    @property
    def duration_s(self) -> float:
        """Host time from the first to the last frame plus one frame period, in s."""
        if self.n_frames == 0:
            return 0.0
        return float(self.host_time_s[-1] - self.host_time_s[0]) + 1.0 / self.rate_hz

    @property
    def pressure_unit(self) -> str:
        """``"kPa"`` or ``"raw"``."""
        return self.calibration.unit

    def raw(self, index: int | slice | Sequence[int] = slice(None)) -> np.ndarray:
        """Raw counts of the selected frames (only those are read from disk)."""
        return np.asarray(self.frames[index])

    def pressure(self, index: int | slice | Sequence[int] = slice(None)) -> np.ndarray:
        """Calibrated pressure (kPa, or raw units when uncalibrated) of the selected frames."""
        return self.calibration.apply(self.raw(index))

    def close(self) -> None:
        """Release the file behind a lazily read recording (no-op in memory)."""
        if self._closer is not None:
            self._closer()
            self._closer = None

    def __enter__(self) -> "Recording":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
