"""C3D, the biomechanics exchange file (optional extra ``c3d``: ezc3d).

One force platform of type 1 (channels Fx, Fy, Fz, Px, Py, Mz; Fx = Fy = Mz = 0) carrying
the mat's total vertical force (N) and CoP (mm, mat frame), plus per-foot vertical force
channels ``Fz_left`` and ``Fz_right``, at the mat's frame rate, and the gait events
``Foot Strike`` / ``Foot Off`` with context ``Left`` / ``Right`` so that Mokka, Visual3D
and OpenSim read them. Only calibrated recordings can be written (forces in N).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from exports.tables import check_new
from gait_metrics import SessionResult
from mat_driver.errors import RecordingError

__all__ = ["write_c3d", "C3D_CHANNELS"]

C3D_CHANNELS = ("Fx", "Fy", "Fz", "Px", "Py", "Mz", "Fz_left", "Fz_right")


def _per_foot_force(result: SessionResult) -> np.ndarray:
    """Vertical force of the left and right foot per frame (N), from the step curves."""
    t = result.frames.time_s
    out = np.zeros((2, t.size))
    for k, step in enumerate(result.steps):
        if step.side not in (0, 1) or not np.isfinite(step.ic_s):
            continue
        inside = (t >= step.ic_s) & (t <= step.to_s)
        pct = (t[inside] - step.ic_s) / (step.to_s - step.ic_s) * 100.0
        out[step.side, inside] += np.interp(pct, result.curves.percent, result.curves.force_n[k])
    return out


def write_c3d(result: SessionResult, path: Path, *, force: bool = False) -> Path:
    """Write the session as a C3D file and return its path."""
    try:
        import ezc3d
    except ImportError:
        raise RecordingError("C3D export needs the optional extra: pip install 'pressure-mat[c3d]'") from None
    if result.force_unit != "N":
        raise RecordingError(f"{path}: C3D needs forces in N; calibrate the recording first (mat calibrate)")
    check_new(path, force)
    frames = result.frames
    rate = float(result.info["rate_hz"])
    n = frames.time_s.size
    fz = np.nan_to_num(frames.force_n)
    px, py = np.nan_to_num(frames.cop_x_mm), np.nan_to_num(frames.cop_y_mm)
    channels = np.vstack([np.zeros(n), np.zeros(n), fz, px, py, np.zeros(n), _per_foot_force(result)])
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [rate]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = ()
    c3d["parameters"]["ANALOG"]["RATE"]["value"] = [rate]
    c3d["parameters"]["ANALOG"]["LABELS"]["value"] = C3D_CHANNELS
    c3d["parameters"]["ANALOG"]["UNITS"]["value"] = ("N", "N", "N", "mm", "mm", "Nmm", "N", "N")
    c3d["data"]["points"] = np.zeros((4, 0, n))
    c3d["data"]["analogs"] = channels[np.newaxis, :, :]
    c3d.add_parameter("FORCE_PLATFORM", "USED", 1)
    c3d.add_parameter("FORCE_PLATFORM", "TYPE", [1])
    c3d.add_parameter("FORCE_PLATFORM", "CHANNEL", np.arange(1, 7).reshape(6, 1).tolist())
    c3d.add_parameter("FORCE_PLATFORM", "ORIGIN", [[0.0], [0.0], [0.0]])
    length, width = float(result.info["mat_length_mm"]), float(result.info["mat_width_mm"])
    corners = np.array([[length, width, 0.0], [0.0, width, 0.0], [0.0, 0.0, 0.0], [length, 0.0, 0.0]]).T[:, :, None]
    c3d.add_parameter("FORCE_PLATFORM", "CORNERS", corners.tolist())
    for step in result.steps:
        if step.side not in (0, 1) or step.excluded:
            continue
        context = "Left" if step.side == 0 else "Right"
        c3d.add_event([0.0, float(step.ic_s)], context=context, label="Foot Strike")
        c3d.add_event([0.0, float(step.to_s)], context=context, label="Foot Off")
    c3d.write(str(path))
    return path
