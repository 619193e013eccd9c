"""C3D, the biomechanics exchange file (optional extra ``c3d``: ezc3d).

One force platform of type 1 (channels Fx, Fy, Fz, Px, Py, Mz; Fx = Fy = Mz = 0) carrying
the mat's total vertical force (N) and CoP (mm, mat frame), plus per-foot vertical force
channels ``Fz_left`` and ``Fz_right``, at the mat's frame rate, and the gait events
``Foot Strike`` / ``Foot Off`` with context ``Left`` / ``Right`` (the EVENT group, as
Mokka and Visual3D read it; OpenSim reads the platform and channels). Only calibrated
recordings can be written (forces in N).

A parameter array holds at most :data:`C3D_MAX_ENTRIES` entries (its dimensions are single
bytes), so the EVENT group's per-event parameters continue in ``LABELS2``, ``TIMES2``,
``CONTEXTS2``, ... as the C3D standard does for ``POINT:LABELS2`` and as BTK/Mokka write and
read every parameter (docs/research.md). A session beyond :data:`C3D_MAX_FRAMES` frames or
:data:`C3D_MAX_EVENTS` events is refused before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from exports.tables import check_new
from gait_metrics import SessionResult
from mat_driver.errors import RecordingError

__all__ = ["write_c3d", "check_c3d_fits", "gait_events", "C3D_CHANNELS", "C3D_MAX_ENTRIES", "C3D_MAX_EVENTS", "C3D_MAX_FRAMES"]

C3D_CHANNELS = ("Fx", "Fy", "Fz", "Px", "Py", "Mz", "Fz_left", "Fz_right")

#: Entries of one parameter array: its dimensions are stored as single (unsigned) bytes.
C3D_MAX_ENTRIES = 255

#: Frames of one file: the header's last-frame word and POINT:FRAMES are unsigned 16-bit
#: integers, and ezc3d writes and reads no more (10 min 55 s at 100 Hz).
C3D_MAX_FRAMES = 65535

#: Gait events of one file: 15 parameter arrays of 255. The parameter section has at most
#: 255 blocks of 512 bytes (its block count is one byte); 3825 events fill 245 of them.
C3D_MAX_EVENTS = 15 * C3D_MAX_ENTRIES


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


def gait_events(result: SessionResult) -> tuple[np.ndarray, list[str], list[str]]:
    """Foot strike and foot off of every included step of a known side.

    Parameters
    ----------
    result
        The analysed session.

    Returns
    -------
    times_s, labels, contexts
        Event times in s on the file's clock (frame k at k / rate, so that every event stays
        on its analog sample when the recording's clock is uneven), ``Foot Strike`` or
        ``Foot Off``, and ``Left`` or ``Right``; all foot strikes first.
    """
    steps = result.steps
    chosen = steps.mask(included=True) & np.isin(steps.side, (0, 1)) & np.isfinite(steps.ic_s) & np.isfinite(steps.to_s)
    contexts = ["Left" if side == 0 else "Right" for side in steps.side[chosen]]
    clock_s = result.frames.time_s
    event_s = np.concatenate([steps.ic_s[chosen], steps.to_s[chosen]])
    times_s = np.interp(event_s, clock_s, np.arange(clock_s.size, dtype=float)) / float(result.info["rate_hz"])
    return times_s, ["Foot Strike"] * len(contexts) + ["Foot Off"] * len(contexts), contexts * 2


def check_c3d_fits(result: SessionResult, path: Path) -> None:
    """Refuse a session C3D cannot carry (more than :data:`C3D_MAX_FRAMES` frames or
    :data:`C3D_MAX_EVENTS` events).

    Parameters
    ----------
    result
        The analysed session.
    path
        The file that would be written (named in the message).

    Raises
    ------
    RecordingError
        One line: the file, the count, the limit, and ``--format csv`` or ``--format mat``.
    """
    n_frames = result.frames.time_s.size
    n_events = len(gait_events(result)[1])
    if n_frames > C3D_MAX_FRAMES:
        what = f"{n_frames} frames ({n_frames / float(result.info['rate_hz']) / 60.0:.1f} min) exceed the {C3D_MAX_FRAMES} a C3D file holds"
    elif n_events > C3D_MAX_EVENTS:
        what = f"{n_events} foot strike and foot off events exceed the {C3D_MAX_EVENTS} a C3D file holds"
    else:
        return
    raise RecordingError(f"{path}: {what}; nothing written: export with --format csv or --format mat")


def _add_events(c3d: Any, times_s: np.ndarray, labels: list[str], contexts: list[str]) -> None:
    """The EVENT group: USED, then every per-event array in parameters of at most
    C3D_MAX_ENTRIES events, the first named plainly, the next NAME2, NAME3, ...; TIMES as
    (whole minutes, seconds) pairs, as the standard describes EVENT:TIMES."""
    minutes = np.floor(times_s / 60.0)
    seconds = times_s - 60.0 * minutes
    n = len(labels)
    per_event: dict[str, list[Any]] = {
        "CONTEXTS": contexts,
        "LABELS": labels,
        "DESCRIPTIONS": [""] * n,
        "SUBJECTS": [""] * n,
        "ICON_IDS": [0] * n,
        "GENERIC_FLAGS": [0] * n,
    }
    c3d.add_parameter("EVENT", "USED", n)
    for k, start in enumerate(range(0, n, C3D_MAX_ENTRIES)):
        part, suffix = slice(start, start + C3D_MAX_ENTRIES), str(k + 1) if k else ""
        for name, values in per_event.items():
            c3d.add_parameter("EVENT", name + suffix, values[part])
        c3d.add_parameter("EVENT", "TIMES" + suffix, [minutes[part].tolist(), seconds[part].tolist()])


def write_c3d(result: SessionResult, path: Path, *, force: bool = False) -> Path:
    """Write the session as a C3D file and return its path.

    Raises :class:`RecordingError`, before anything is written, if the recording is not
    calibrated or the session is beyond what C3D carries (:func:`check_c3d_fits`).
    """
    try:
        import ezc3d
    except ImportError:
        raise RecordingError("C3D export needs the optional extra: pip install 'pressure-mat[c3d]'") from None
    if result.force_unit != "N":
        raise RecordingError(f"{path}: C3D needs forces in N; calibrate the recording first (mat calibrate)")
    check_c3d_fits(result, path)
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
    times_s, labels, contexts = gait_events(result)
    if labels:
        _add_events(c3d, times_s, labels, contexts)
    c3d.write(str(path))
    return path
