"""The recording file: HDF5, written incrementally and crash-safe, read lazily.

This is the only module that imports h5py. The layout is documented field by field in
``docs/file-format.md``.

Writing uses HDF5's single-writer/multiple-reader (SWMR) mode: the writer flushes at least
every ``flush_interval_s`` and the file stays consistent if the writing process is killed.
Such a file keeps a "file is already open for write" flag; :func:`open_recording` reads it
anyway (and says the recording is incomplete) and :func:`repair_recording` turns it into a
normal file that any HDF5 tool opens.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import h5py
import numpy as np

from mat_driver.errors import RecordingError
from mat_driver.model import (
    FORMAT_VERSION,
    Calibration,
    Gaps,
    Geometry,
    Metadata,
    Recording,
)
from mat_driver.paths import file_in_the_way, not_a_folder

__all__ = [
    "FORMAT_NAME",
    "RecordingWriter",
    "open_recording",
    "save_recording",
    "repair_recording",
    "check_writable",
]

log = logging.getLogger(__name__)

#: Value of the root attribute ``format`` that marks a pressure-mat recording.
FORMAT_NAME = "pressure-mat recording"
#: HDF5 file-format bounds: SWMR needs the 1.10 format; it is readable by HDF5 >= 1.10.
_LIBVER = ("v110", "v110")
_CHUNK_BYTES = 512 * 1024
_GAP_FIELDS = ("frame_index", "missing", "duration_s")
_GAP_DTYPES = (np.int64, np.int64, np.float64)
_OPTIONAL_FLOATS = ("belt_speed_m_s", "body_mass_kg")


def check_writable(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Check that a new recording may be written at ``path``.

    Raises
    ------
    RecordingError
        If the file exists and ``force`` is False, ``path`` is a folder, its folder does not
        exist, or a file stands where its folder should be.
    """
    target = Path(path)
    if target.is_dir():
        raise RecordingError(f"{target}: is a folder; give a file name")
    if target.exists() and not force:
        raise RecordingError(f"{target}: file exists; choose another name or pass --force to overwrite it")
    if not target.parent.is_dir():
        blocker = file_in_the_way(target.parent)
        if blocker is not None:
            raise not_a_folder(target, blocker)
        raise RecordingError(f"{target}: folder {target.parent} does not exist; create it first")
    return target


class RecordingWriter:
    """Append frames to a new recording file as they arrive.

    Frames are buffered and written, then flushed to disk, at least every
    ``flush_interval_s`` seconds, so a killed writer loses at most that much.

    Parameters
    ----------
    path
        File to create.
    geometry, rate_hz, calibration, metadata
        Fixed for the whole recording (the tare may be set later with :meth:`set_tare`).
    dtype
        Storage type of the raw counts: ``uint8`` or ``uint16``.
    force
        Overwrite an existing file.
    flush_interval_s
        Longest time between flushes to disk, in s.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from mat_driver.model import Geometry
    >>> path = os.path.join(tempfile.mkdtemp(), "a.h5")
    >>> with RecordingWriter(path, geometry=Geometry(2, 3, 10.0, 10.0), rate_hz=100.0) as w:
    ...     w.append(np.ones((5, 2, 3), np.uint16), np.arange(5) / 100.0)
    >>> with open_recording(path) as rec:
    ...     rec.n_frames
    5
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        geometry: Geometry,
        rate_hz: float,
        calibration: Calibration | None = None,
        metadata: Metadata | None = None,
        dtype: Any = np.uint16,
        force: bool = False,
        flush_interval_s: float = 0.5,
    ) -> None:
        self.path = check_writable(path, force=force)
        self.geometry = geometry
        self.flush_interval_s = flush_interval_s
        self.n_frames = 0
        self._buffer: list[tuple[np.ndarray, ...]] = []
        self._gaps: list[tuple[int, int, float]] = []
        self._last_flush = time.monotonic()
        calibration = calibration or Calibration()
        metadata = metadata or Metadata()
        dtype = np.dtype(dtype)
        if dtype not in (np.dtype(np.uint8), np.dtype(np.uint16)):
            raise RecordingError(f"{self.path}: frames must be uint8 or uint16, got {dtype}")
        try:
            if self.path.exists():
                self.path.unlink()
            self._file = h5py.File(self.path, "w", libver=_LIBVER)
            self._create_layout(rate_hz, calibration, metadata, dtype)
            self._file.swmr_mode = True
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot create recording: {exc}") from None

    def _create_layout(self, rate_hz: float, calibration: Calibration, metadata: Metadata, dtype: np.dtype) -> None:
        f, g = self._file, self.geometry
        f.attrs["format"] = FORMAT_NAME
        f.attrs["format_version"] = FORMAT_VERSION
        f.attrs["status"] = "recording"
        f.attrs["rate_hz"] = float(rate_hz)
        chunk = max(1, min(256, _CHUNK_BYTES // (g.rows * g.cols * dtype.itemsize)))
        frames = f.create_dataset(
            "frames",
            shape=(0, g.rows, g.cols),
            maxshape=(None, g.rows, g.cols),
            dtype=dtype,
            chunks=(chunk, g.rows, g.cols),
            compression="gzip",
            compression_opts=4,
            shuffle=True,
        )
        frames.attrs["units"] = "ADC counts"
        for name, kind, units in (
            ("host_time_s", np.float64, "s"),
            ("counter", np.int64, "frames"),
            ("device_time_s", np.float64, "s"),
        ):
            ds = f.create_dataset(name, shape=(0,), maxshape=(None,), dtype=kind, chunks=(4096,))
            ds.attrs["units"] = units
        gaps = f.create_group("gaps")
        for name, gap_kind in zip(_GAP_FIELDS, _GAP_DTYPES):
            gaps.create_dataset(name, shape=(0,), maxshape=(None,), dtype=gap_kind, chunks=(256,))
        geo = f.create_group("geometry")
        geo.attrs.update(
            rows=g.rows,
            cols=g.cols,
            pitch_row_mm=g.pitch_row_mm,
            pitch_col_mm=g.pitch_col_mm,
            walk_axis=g.walk_axis,
        )
        cal = f.create_group("calibration")
        cal.attrs.update(
            gain_kpa=calibration.gain_kpa,
            exponent=calibration.exponent,
            calibrated=int(calibration.calibrated),
            source=calibration.source,
            crosstalk_frac=calibration.crosstalk_frac,
        )
        tare = np.zeros(g.shape, np.float32) if calibration.tare is None else calibration.tare
        cal.create_dataset("tare", data=np.asarray(tare, np.float32))
        meta = f.create_group("metadata")
        for key, value in _metadata_items(metadata):
            meta.attrs[key] = value
        f.create_group("stats")

    def append(
        self,
        frames: np.ndarray,
        host_time_s: np.ndarray,
        counter: np.ndarray | None = None,
        device_time_s: np.ndarray | None = None,
    ) -> None:
        """Queue frames ``(k, rows, cols)`` with their times; flush when the interval is up."""
        frames = np.asarray(frames)
        if frames.ndim == 2:
            frames = frames[None]
        k = frames.shape[0]
        if frames.shape[1:] != self.geometry.shape:
            raise RecordingError(f"{self.path}: frame shape {frames.shape[1:]} does not match the recording's grid {self.geometry.shape}")
        host = np.broadcast_to(np.asarray(host_time_s, np.float64), (k,))
        cnt = np.full(k, -1, np.int64) if counter is None else np.broadcast_to(counter, (k,))
        dev = np.full(k, np.nan) if device_time_s is None else np.broadcast_to(device_time_s, (k,))
        self._buffer.append((frames, host, np.asarray(cnt, np.int64), np.asarray(dev, np.float64)))
        if time.monotonic() - self._last_flush >= self.flush_interval_s:
            self.flush()

    def add_gap(self, frame_index: int, missing: int, duration_s: float) -> None:
        """Record that ``missing`` frames were lost before frame ``frame_index``."""
        self._gaps.append((int(frame_index), int(missing), float(duration_s)))

    def set_tare(self, tare: np.ndarray) -> None:
        """Store the per-cell zero (counts, ``(rows, cols)``) found after recording began."""
        self._write(lambda: self._file["calibration/tare"].__setitem__(Ellipsis, tare))

    def flush(self) -> None:
        """Write buffered frames and gaps and flush them to disk."""
        self._write(self._flush)

    def _flush(self) -> None:
        f = self._file
        if self._buffer:
            parts = list(zip(*self._buffer))
            self._buffer.clear()
            k = sum(len(p) for p in parts[1])
            start, stop = self.n_frames, self.n_frames + k
            for name, blocks in zip(("frames", "host_time_s", "counter", "device_time_s"), parts):
                ds = f[name]
                ds.resize(stop, axis=0)
                ds[start:stop] = np.concatenate(blocks)
            self.n_frames = stop
        if self._gaps:
            rows = list(zip(*self._gaps))
            self._gaps.clear()
            for name, values in zip(_GAP_FIELDS, rows):
                ds = f["gaps"][name]
                n = ds.shape[0]
                ds.resize(n + len(values), axis=0)
                ds[n:] = values
        f.flush()
        self._last_flush = time.monotonic()

    def _write(self, action: Any) -> None:
        try:
            action()
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot write ({exc}); is the disk full? frames up to the last flush are safe in the file") from None

    def close(
        self,
        stats: Mapping[str, float] | None = None,
        truth: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Flush, close, and mark the file complete with the recorder's statistics."""
        if self._file is None:
            return
        try:
            self._write(self._flush)
        finally:
            try:
                self._file.close()
            except OSError:  # the file keeps every frame up to the last successful flush
                pass
            self._file = None
        try:
            with h5py.File(self.path, "r+", libver=_LIBVER) as f:
                f["stats"].attrs.update({k: float(v) for k, v in (stats or {}).items()})
                if truth:
                    _write_truth(f, truth)
                f.attrs["status"] = "complete"
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot finish the file ({exc})") from None

    def __enter__(self) -> "RecordingWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _metadata_items(metadata: Metadata) -> Iterable[tuple[str, Any]]:
    for key, value in vars(metadata).items():
        if key in _OPTIONAL_FLOATS:
            value = np.nan if value is None else float(value)
        yield key, value


def _write_truth(f: h5py.File, truth: Mapping[str, np.ndarray]) -> None:
    group = f.require_group("truth")
    for key, value in truth.items():
        array = np.asarray(value)
        if array.dtype == bool:
            array = array.astype(np.int8)
        group.create_dataset(key, data=array, compression="gzip" if array.size > 1024 else None)


def save_recording(
    recording: Recording,
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    chunk_frames: int = 1024,
) -> Path:
    """Write a whole recording (e.g. from the simulator) to ``path``; return the path."""
    with RecordingWriter(
        path,
        geometry=recording.geometry,
        rate_hz=recording.rate_hz,
        calibration=recording.calibration,
        metadata=recording.metadata,
        dtype=recording.frames.dtype,
        force=force,
    ) as writer:
        assert recording.counter is not None and recording.device_time_s is not None  # set by Recording.__post_init__
        for start in range(0, recording.n_frames, chunk_frames):
            stop = min(start + chunk_frames, recording.n_frames)
            writer.append(
                recording.raw(slice(start, stop)),
                recording.host_time_s[start:stop],
                recording.counter[start:stop],
                recording.device_time_s[start:stop],
            )
        gaps = recording.gaps
        for row in zip(gaps.frame_index, gaps.missing, gaps.duration_s):
            writer.add_gap(*row)
        writer.close(stats=recording.stats, truth=recording.truth)
    return writer.path


class _FirstFrames:
    """The first ``n`` frames of a dataset, sliced lazily (for files cut by a crash)."""

    def __init__(self, dataset: Any, n: int) -> None:
        self._dataset = dataset
        self.shape = (n, *dataset.shape[1:])
        self.dtype = dataset.dtype

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, tuple):
            first, rest = key[0], key[1:]
        else:
            first, rest = key, ()
        index = np.arange(self.shape[0])[first]
        # The index tuples are named: mypy reads ``x[(a, *b)]`` as 3.11-only ``x[a, *b]``.
        if np.ndim(index) == 0:
            at_index = (int(index), *rest)
            return self._dataset[at_index]
        if index.size and np.all(np.diff(index) == 1):
            contiguous = (slice(int(index[0]), int(index[-1]) + 1), *rest)
            return self._dataset[contiguous]
        everything = (slice(0, self.shape[0]), *rest)
        return np.asarray(self._dataset[everything])[index]


def _open_hdf5(path: Path) -> tuple[h5py.File, bool]:
    """Open read-only; fall back to SWMR reading for a file whose writer died."""
    if not path.exists():
        raise RecordingError(f"{path}: no such file")
    if path.is_dir():
        raise RecordingError(f"{path}: is a folder, not a recording file")
    try:
        return h5py.File(path, "r"), False
    except OSError as exc:
        message = str(exc)
    if "already open for write" in message:
        try:
            return h5py.File(path, "r", swmr=True), True
        except OSError as exc:
            message = str(exc)
    if not h5py.is_hdf5(path):
        raise RecordingError(f"{path}: not an HDF5 file, so not a pressure-mat recording")
    if "truncated" in message:
        raise RecordingError(f"{path}: truncated HDF5 file (cut short while copying?)")
    raise RecordingError(f"{path}: cannot open HDF5 file ({message.splitlines()[0]})")


def open_recording(path: str | os.PathLike[str]) -> Recording:
    """Open a recording lazily: metadata now, frames only when sliced.

    A file whose writer was killed opens too; its ``stats["incomplete"]`` is 1 and
    :func:`repair_recording` makes it a normal file. Close the recording (or use it as a
    context manager) to release the file.

    Raises
    ------
    RecordingError
        With one line naming the file and the problem.
    """
    path = Path(path)
    f, crashed = _open_hdf5(path)
    try:
        recording = _read(f, path, crashed)
    except RecordingError:
        f.close()
        raise
    except (KeyError, OSError, ValueError, TypeError) as exc:
        f.close()
        raise RecordingError(f"{path}: damaged recording ({exc})") from None
    recording._closer = f.close
    return recording


def _read(f: h5py.File, path: Path, crashed: bool) -> Recording:
    if f.attrs.get("format") != FORMAT_NAME:
        raise RecordingError(f"{path}: HDF5 file but not a pressure-mat recording")
    version = int(f.attrs.get("format_version", -1))
    if version > FORMAT_VERSION:
        raise RecordingError(f"{path}: written in recording format {version}, this pressure-mat reads up to {FORMAT_VERSION}; upgrade pressure-mat")
    if version < 1:
        raise RecordingError(f"{path}: invalid recording format version {version}")
    geo = f["geometry"].attrs
    geometry = Geometry(
        rows=int(geo["rows"]),
        cols=int(geo["cols"]),
        pitch_row_mm=float(geo["pitch_row_mm"]),
        pitch_col_mm=float(geo["pitch_col_mm"]),
        walk_axis=str(geo["walk_axis"]),  # type: ignore[arg-type]
    )
    cal = f["calibration"]
    tare = np.asarray(cal["tare"], np.float32)
    calibration = Calibration(
        gain_kpa=float(cal.attrs["gain_kpa"]),
        exponent=float(cal.attrs["exponent"]),
        tare=tare if np.any(tare) else None,
        calibrated=bool(cal.attrs["calibrated"]),
        source=str(cal.attrs["source"]),
        crosstalk_frac=float(cal.attrs.get("crosstalk_frac", 0.0)),  # absent before crosstalk was measured
    )
    meta: dict[str, Any] = {}
    for key, value in f["metadata"].attrs.items():
        value = value.item() if isinstance(value, np.generic) else value
        if key in _OPTIONAL_FLOATS and np.isnan(value):
            value = None
        meta[key] = value
    metadata = Metadata(**{k: v for k, v in meta.items() if k in Metadata.__dataclass_fields__})
    columns = [f[name] for name in ("frames", "host_time_s", "counter", "device_time_s")]
    n = min(ds.shape[0] for ds in columns)
    frames = columns[0] if columns[0].shape[0] == n else _FirstFrames(columns[0], n)
    gaps = Gaps(*(np.asarray(f["gaps"][name][:], kind) for name, kind in zip(_GAP_FIELDS, _GAP_DTYPES)))
    stats = {k: float(v) for k, v in f["stats"].attrs.items()}
    complete = f.attrs.get("status") == "complete" and not crashed
    stats["incomplete"] = 0.0 if complete else 1.0
    truth = {k: np.asarray(v) for k, v in f["truth"].items()} if "truth" in f else {}
    return Recording(
        frames=frames,
        host_time_s=columns[1][:n],
        counter=columns[2][:n],
        device_time_s=columns[3][:n],
        geometry=geometry,
        rate_hz=float(f.attrs["rate_hz"]),
        calibration=calibration,
        metadata=metadata,
        gaps=gaps,
        stats=stats,
        truth=truth,
        path=str(path),
    )


def repair_recording(path: str | os.PathLike[str]) -> int:
    """Turn a recording whose writer died into a normal, complete file, in place.

    The frames that reached the disk are copied into a fresh file which then atomically
    replaces the original, so any HDF5 tool (MATLAB, R, HDFView) opens it. Returns the
    number of frames kept. A file that is already complete is left untouched.
    """
    path = Path(path)
    with open_recording(path) as recording:
        if not recording.stats.get("incomplete"):
            return recording.n_frames
    temp = path.with_name(path.name + ".repairing")
    source, _ = _open_hdf5(path)
    try:
        with h5py.File(temp, "w", libver=_LIBVER) as target:
            n = min(source[k].shape[0] for k in ("frames", "host_time_s", "counter", "device_time_s"))
            for key in source:
                source.copy(source[key], target, name=key)
            for key in ("frames", "host_time_s", "counter", "device_time_s"):
                target[key].resize(n, axis=0)
            target.attrs.update(dict(source.attrs))
            target.attrs["status"] = "complete"
            target["stats"].attrs["repaired"] = 1.0
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise RecordingError(f"{path}: cannot repair ({exc})") from None
    finally:
        source.close()
    os.replace(temp, path)
    log.info("repaired %s: %d frames kept", path, n)
    return n
