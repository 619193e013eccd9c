"""The analysis's own error, and input checks that name the argument and what was expected."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["MetricsError", "check_array", "check_recording"]


class MetricsError(ValueError):
    """The input cannot be analysed; the message is one line saying why."""


def check_array(value: Any, name: str, *, ndim: int, last_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``value`` as an array with ``ndim`` dimensions (and trailing ``last_shape``), else MetricsError.

    Examples
    --------
    >>> check_array(np.zeros((2, 3)), "pressure", ndim=3)
    Traceback (most recent call last):
    ...
    gait_metrics._validation.MetricsError: pressure must be a 3-D array (frame, row, col), got shape (2, 3)
    """
    array = np.asarray(value)
    axes = {1: "", 2: " (row, col)", 3: " (frame, row, col)"}.get(ndim, "")
    if array.ndim != ndim:
        raise MetricsError(f"{name} must be a {ndim}-D array{axes}, got shape {array.shape}")
    if last_shape is not None and tuple(array.shape[-len(last_shape) :]) != tuple(last_shape):
        raise MetricsError(f"{name} must end in shape {tuple(last_shape)}, got shape {array.shape}")
    return array


def check_recording(recording: Any) -> None:
    """Raise MetricsError unless ``recording`` looks like a :class:`mat_driver.model.Recording`."""
    for attribute in ("frames", "host_time_s", "geometry", "calibration", "metadata", "gaps"):
        if not hasattr(recording, attribute):
            raise MetricsError(f"recording must be a mat_driver Recording; {type(recording).__name__} has no {attribute!r}")
    shape = tuple(getattr(recording.frames, "shape", ()))
    geometry = recording.geometry
    if len(shape) != 3 or shape[1:] != (geometry.rows, geometry.cols):
        raise MetricsError(f"recording frames must have shape (n, {geometry.rows}, {geometry.cols}), got {shape}")
    if len(recording.host_time_s) != shape[0]:
        raise MetricsError(f"recording has {shape[0]} frames but {len(recording.host_time_s)} timestamps")
    if shape[0] and not np.all(np.diff(np.asarray(recording.host_time_s, float)) >= 0):
        raise MetricsError("recording timestamps (host_time_s) must not decrease")
