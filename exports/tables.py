"""Tidy CSV tables that pandas and R read as they are.

- ``steps.csv``: one row per step: recording, subject, condition, side, step index and
  every metric with its unit in the column name;
- ``frames.csv``: one row per frame: time, force, area, peak pressure, CoP (``cop``
  alone: time and CoP only);
- ``curves.csv``: long format: step, side, curve, % stance, value.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any, Iterable, Sequence

from gait_metrics import SessionResult
from mat_driver.paths import make_folder
from mat_driver.recording import check_writable

__all__ = ["WHAT", "frame_rows", "write_csv_tables", "write_rows", "check_new"]

#: What can be exported.
WHAT = ("frames", "cop", "steps", "curves", "all")


def check_new(path: Path, force: bool) -> None:
    """Refuse to overwrite an existing file unless ``force``, or to write where no folder is.

    The same checks as for a recording: :func:`mat_driver.recording.check_writable`.
    """
    check_writable(path, force=force)


def frame_rows(result: SessionResult, *, cop_only: bool = False) -> list[dict[str, Any]]:
    """Per-frame values with the session's identifying columns."""
    f = result.frames
    head = {k: result.info.get(k, "") for k in ("recording", "subject_id", "condition")}
    force = f"force_{result.force_unit.lower()}" if result.force_unit == "N" else "force_raw"
    rows = []
    for k in range(len(f.time_s)):
        row = dict(head, frame=k, time_s=float(f.time_s[k]), cop_x_mm=float(f.cop_x_mm[k]), cop_y_mm=float(f.cop_y_mm[k]))
        if not cop_only:
            row.update({force: float(f.force_n[k]), "area_cm2": float(f.area_cm2[k]), f"peak_{result.pressure_unit.lower()}": float(f.peak_kpa[k])})
        rows.append(row)
    return rows


def write_rows(path: Path, rows: Iterable[dict[str, Any]], force: bool) -> Path:
    """Write dictionaries as a CSV table (NaN as empty cells); refuse to overwrite."""
    check_new(path, force)
    rows = list(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["empty"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()})
    return path


def write_csv_tables(result: SessionResult, folder: Path, *, what: Sequence[str] = ("all",), force: bool = False) -> list[Path]:
    """Write the chosen tables into ``folder``; return their paths."""
    chosen = set(WHAT[:-1]) if "all" in what else set(what)
    make_folder(folder)
    written = []
    if "steps" in chosen:
        written.append(write_rows(folder / "steps.csv", result.steps_table(), force))
    if "frames" in chosen:
        written.append(write_rows(folder / "frames.csv", frame_rows(result), force))
    elif "cop" in chosen:
        written.append(write_rows(folder / "cop.csv", frame_rows(result, cop_only=True), force))
    if "curves" in chosen:
        written.append(write_rows(folder / "curves.csv", result.curves_long(), force))
    return written
