"""The entry point of a notebook or a script: :func:`analyze` a file or a recording."""

from __future__ import annotations

import os

from gait_metrics.analyze import analyze as analyze_recording
from gait_metrics.config import AnalysisConfig
from gait_metrics.noise import NoiseModel
from gait_metrics.results import SessionResult
from mat_driver.model import Recording
from mat_driver.recording import open_recording

__all__ = ["analyze"]


def analyze(source: str | os.PathLike[str] | Recording, config: AnalysisConfig | None = None, *, noise: NoiseModel | None = None) -> SessionResult:
    """Analyse a recording file or a :class:`~mat_driver.model.Recording`.

    Parameters
    ----------
    source
        A recording's path (``.h5``: opened lazily, its frames read chunk by chunk, closed
        after; the path goes into ``result.info["recording"]``) or a recording already open
        or in memory (left open).
    config
        Thresholds and boundaries (default :class:`AnalysisConfig`).
    noise
        The mat's noise model (:func:`gait_metrics.noise.estimate_noise`) when it is known
        already (the live view's); by default estimated from the recording and its tare.

    Returns
    -------
    SessionResult

    Raises
    ------
    RecordingError
        When the file cannot be read (one line naming it).
    MetricsError
        When the recording is not of consistent shape and timestamps.

    Examples
    --------
    >>> from mat_sim.simulator import simulate
    >>> result = analyze(simulate("trained-runner", seed=1, duration_s=4.0).recording())
    >>> result.steps.select("left", included=True).side_name[0]
    'left'
    """
    if not isinstance(source, (str, os.PathLike)):
        return analyze_recording(source, config, noise=noise)  # checks that it is a recording
    with open_recording(source) as recording:
        return analyze_recording(recording, config, noise=noise)
