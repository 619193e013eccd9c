"""Recordings of other systems converted into pressure-mat recordings (see docs/importers.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mat_driver.errors import RecordingError
from mat_driver.importers.emed_lst import read_lst
from mat_driver.importers.plain import read_matsense_csv, read_numpy
from mat_driver.importers.tekscan_asf import read_asf
from mat_driver.model import Recording

__all__ = ["IMPORT_FORMATS", "detect_format", "import_recording"]

#: Importable formats.
IMPORT_FORMATS = ("asf", "lst", "matsense", "numpy")
_BY_SUFFIX = {".asf": "asf", ".lst": "lst", ".csv": "matsense", ".npy": "numpy", ".npz": "numpy"}


def detect_format(path: Path) -> str:
    """The format of ``path`` from its extension."""
    try:
        return _BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise RecordingError(f"{path.name}: unknown file type {path.suffix!r}; give --format ({', '.join(IMPORT_FORMATS)})") from None


def import_recording(path: str | Path, *, format: str | None = None, **options: Any) -> Recording:
    """Read another system's file as a :class:`~mat_driver.model.Recording`.

    ``options`` are what the format needs: ``rows``, ``cols``, ``pitch_mm`` (matsense),
    ``pitch_mm``, ``rate_hz`` (numpy), optionally ``setup``.
    """
    path = Path(path)
    if not path.is_file():
        raise RecordingError(f"{path}: no such file")
    kind = format or detect_format(path)
    if kind == "asf":
        return read_asf(path)
    if kind == "lst":
        return read_lst(path)
    needs = {"matsense": ("pitch_mm",), "numpy": ("pitch_mm", "rate_hz")}.get(kind)
    if needs is None:
        raise RecordingError(f"unknown import format {kind!r}; formats: {', '.join(IMPORT_FORMATS)}")
    missing = [n for n in needs if options.get(n) is None]
    if missing:
        raise RecordingError(f"{path.name}: {kind} files need {', '.join('--' + m.split('_')[0] for m in missing)}")
    chosen = {k: v for k, v in options.items() if v is not None}
    if kind == "matsense":
        return read_matsense_csv(path, rows=chosen.pop("rows", None), cols=chosen.pop("cols", None), **chosen)
    chosen.pop("rows", None)
    chosen.pop("cols", None)
    return read_numpy(path, **chosen)
