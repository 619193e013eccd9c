"""Steps of a recording that is still growing, each reported once, soon after toe off.

A live view needs every step's values within a fraction of a second of its toe off. Rather
than a second, incremental implementation of the metrics, :class:`StepStream` keeps the
last few seconds of frames and runs :func:`gait_metrics.analyze` on them whenever asked;
steps that are complete inside that window (neither cut by its start nor still loaded at
its end) and not reported before come out, with times on the recording's clock. The values
are therefore those of the offline analysis, except that a treadmill's belt speed is
estimated from the window (the offline pass may refine it with the whole session).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from gait_metrics._validation import MetricsError
from gait_metrics.analyze import analyze
from gait_metrics.config import AnalysisConfig
from gait_metrics.noise import NoiseModel, estimate_noise
from gait_metrics.results import Step
from mat_driver.model import Calibration, Geometry, Metadata, Recording

__all__ = ["StepStream"]

#: A step still has to end this long before the newest frame if its footprint has not.
SETTLE_S = 0.1
#: The mat's noise model (per-cell zero without a tare, noise SDs, dead and stuck cells;
#: :mod:`gait_metrics.noise`) is estimated from a full window this often (s), not at every poll.
NOISE_EVERY_S = 10.0


class StepStream:
    """Complete steps out of a stream of frames, by :func:`analyze` on a sliding window.

    Parameters
    ----------
    geometry, calibration, metadata
        As in the recording being made (setup, belt speed and body mass matter).
    rate_hz
        Nominal frame rate (only sizes the window's buffer).
    config
        Analysis settings, as for :func:`analyze`.
    window_s
        Seconds of frames kept and analysed: a few strides, so that sides can be told
        from alternation and the belt speed estimated. Default 3 s, and 8 s on a walkway,
        where a whole pass over the mat must fit.

    Examples
    --------
    >>> from mat_sim.simulator import simulate
    >>> rec = simulate("trained-runner", seed=1, duration_s=3.0).recording()
    >>> stream = StepStream(rec.geometry, rec.rate_hz, calibration=rec.calibration, metadata=rec.metadata)
    >>> for t, frame in zip(rec.host_time_s, rec.frames):
    ...     stream.push(frame, t)
    >>> steps = stream.poll()
    >>> len(steps) > 3 and all(s.to_s < 3.0 for s in steps)
    True
    """

    def __init__(
        self,
        geometry: Geometry,
        rate_hz: float,
        *,
        calibration: Calibration | None = None,
        metadata: Metadata | None = None,
        config: AnalysisConfig | None = None,
        window_s: float | None = None,
    ) -> None:
        if window_s is None:
            window_s = 8.0 if (metadata and metadata.setup == "walkway") else 3.0
        if not window_s > 0:
            raise MetricsError(f"window_s must be > 0 s, got {window_s}")
        self.geometry, self.rate_hz = geometry, float(rate_hz)
        self.calibration = calibration or Calibration()
        self.metadata = metadata or Metadata()
        self.config = config or AnalysisConfig()
        self.window_s = float(window_s)
        size = int(np.ceil(window_s * rate_hz * 1.5)) + 2  # room for a faster mat than nominal
        self._frames: deque[np.ndarray] = deque(maxlen=size)
        self._times: deque[float] = deque(maxlen=size)
        self._last_ic_s = -np.inf
        self._noise: NoiseModel | None = None
        self._noise_at_s = -np.inf

    def push(self, cells: np.ndarray, time_s: float) -> None:
        """Add one frame of raw counts ``(rows, cols)`` taken at ``time_s`` (s)."""
        self._frames.append(cells)
        self._times.append(float(time_s))
        while self._times[-1] - self._times[0] > self.window_s:
            self._frames.popleft()
            self._times.popleft()

    def reset(self) -> None:
        """Forget every frame and every step reported (e.g. after a seek in a replay)."""
        self._frames.clear()
        self._times.clear()
        self._last_ic_s = -np.inf
        self._noise, self._noise_at_s = None, -np.inf

    def poll(self, *, final: bool = False) -> list[Step]:
        """Steps completed since the last call, in order, times on the stream's clock (s).

        A step is complete when its footprint has ended, or its toe off lies
        :data:`SETTLE_S` before the newest frame; with ``final`` (the stream has ended),
        when the analysis finds it complete. Steps the analysis excludes for other
        reasons (mat edge, dropped frames) are reported too, with ``excluded`` set.
        """
        if len(self._times) < 2:
            return []
        times = np.fromiter(self._times, float, len(self._times))
        recording = Recording(
            frames=np.stack(self._frames),
            host_time_s=times - times[0],
            geometry=self.geometry,
            rate_hz=self.rate_hz,
            calibration=self.calibration,
            metadata=self.metadata,
        )
        steps = analyze(recording, self.config, noise=self._noise_model(recording)).steps
        last = len(times) - 1
        found = []
        for k in range(len(steps)):
            step = steps[k]
            if step.exclude_reason.startswith("cut by recording") or not np.isfinite(step.to_s):
                continue
            if not final and step.last_frame >= last and step.to_s > times[last] - times[0] - SETTLE_S:
                continue
            shifted = _shift(step, times[0])
            if shifted.ic_s > self._last_ic_s + 0.5 / self.rate_hz:
                found.append(shifted)
        if found:
            self._last_ic_s = found[-1].ic_s
        return found

    def _noise_model(self, recording: Recording) -> NoiseModel | None:
        """The noise model to analyse ``recording`` (the window) with: the offline one
        (:func:`gait_metrics.noise.estimate_noise`), estimated from a full window every
        :data:`NOISE_EVERY_S` and kept, so that :func:`analyze` does not estimate it at
        every poll; until the first full window, the analysis estimates it itself (None).
        """
        full = recording.host_time_s[-1] >= 0.9 * self.window_s
        if full and self._times[-1] - self._noise_at_s >= NOISE_EVERY_S:
            config = self.config
            self._noise = estimate_noise(recording, noise_kpa=config.noise_kpa, k=config.noise_k, k_edge=config.noise_k_edge)
            self._noise_at_s = self._times[-1]
        return self._noise


_TIME_FIELDS = tuple(name for name in Step._fields if name.endswith("_s") and not name.endswith("_m_s") and not name.endswith("_n_s"))


def _shift(step: Step, start_s: float) -> Step:
    """``step`` with its event times moved from the window's clock to the stream's."""
    return step._replace(**{name: getattr(step, name) + start_s for name in _TIME_FIELDS})
