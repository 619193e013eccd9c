"""Lab Streaming Layer outlets: the mat's frames and its step events, for lab sync.

Two outlets: ``<name> frames`` (type ``Pressure``, one float32 channel per cell in row-major
order, pressure in kPa or raw units, at the nominal rate) and ``<name> events`` (type
``Markers``, strings ``"L IC"``, ``"L FF"``, ``"L HO"``, ``"L TO"``, ``"R ..."``, ``"? ..."``
when the side is unknown). Every sample carries the host time its frame arrived, or the
event's interpolated time, on LSL's clock, so LabRecorder lines them up with EMG or
motion capture. Needs the optional ``pylsl`` (``pip install 'pressure-mat[lsl]'``).
"""

from __future__ import annotations

import math
import os
import time
from importlib import resources
from types import ModuleType
from typing import Sequence

import numpy as np

from gait_metrics import Step
from live_view.server import LiveViewError
from mat_driver.model import Calibration, Geometry

__all__ = ["LslOutlet", "EVENT_FIELDS", "event_markers", "import_pylsl"]

#: Marker suffix and the step field holding its time.
EVENT_FIELDS = (("IC", "ic_s"), ("FF", "ff_s"), ("HO", "ho_s"), ("TO", "to_s"))


def import_pylsl() -> ModuleType:
    """The ``pylsl`` module, or a :class:`LiveViewError` saying how to install it."""
    # liblsl reads its settings when loaded; ours keeps its start-up INFO lines off the terminal
    os.environ.setdefault("LSLAPICFG", str(resources.files("live_view").joinpath("lsl_api.cfg")))
    try:
        import pylsl
    except ImportError:
        raise LiveViewError("--lsl needs the optional pylsl package: pip install 'pressure-mat[lsl]'") from None
    return pylsl


def event_markers(step: Step) -> list[tuple[str, float]]:
    """``[("L IC", time_s), ...]`` for the events ``step`` has, in time order."""
    side = {"left": "L", "right": "R"}.get(step.side_name, "?")
    events = [(f"{side} {name}", getattr(step, field)) for name, field in EVENT_FIELDS]
    return sorted(((text, float(t)) for text, t in events if t is not None and math.isfinite(t)), key=lambda e: e[1])


class LslOutlet:
    """Publish frames and step events as two LSL outlets (a :class:`~live_view.feed.FrameSink`).

    Parameters
    ----------
    name
        Stream name prefix (e.g. the recording file's stem).
    source_id
        Stable id of the device, so an inlet can find the stream again after a restart.
    """

    def __init__(self, geometry: Geometry, rate_hz: float, calibration: Calibration, *, name: str = "pressure-mat", source_id: str = "pressure-mat") -> None:
        pylsl = import_pylsl()
        self._clock = pylsl.local_clock
        frames = pylsl.StreamInfo(f"{name} frames", "Pressure", geometry.rows * geometry.cols, rate_hz, "float32", f"{source_id}-frames")
        desc = frames.desc()
        desc.append_child_value("unit", calibration.unit)
        desc.append_child_value("rows", str(geometry.rows))
        desc.append_child_value("cols", str(geometry.cols))
        desc.append_child_value("pitch_row_mm", f"{geometry.pitch_row_mm:g}")
        desc.append_child_value("pitch_col_mm", f"{geometry.pitch_col_mm:g}")
        desc.append_child_value("order", "row-major")
        events = pylsl.StreamInfo(f"{name} events", "Markers", 1, pylsl.IRREGULAR_RATE, "string", f"{source_id}-events")
        self.frame_outlet = pylsl.StreamOutlet(frames, chunk_size=0, max_buffered=60)
        self.event_outlet = pylsl.StreamOutlet(events, max_buffered=600)
        self._to_lsl = self._clock() - time.monotonic()  # LSL's clock minus Python's monotonic clock

    def frames(self, pressure: np.ndarray, monotonic_s: np.ndarray) -> None:
        """Push frames stamped with their arrival (``time.monotonic``'s clock)."""
        stamps = (np.asarray(monotonic_s, float) + self._to_lsl).tolist()
        self.frame_outlet.push_chunk(pressure.reshape(len(pressure), -1).astype(np.float32, copy=False), stamps)

    def steps(self, steps: Sequence[Step], to_monotonic_s: float) -> None:
        """Push each step's events as markers stamped with their own times."""
        for step in steps:
            for text, t in event_markers(step):
                self.event_outlet.push_sample([text], t + to_monotonic_s + self._to_lsl)
