"""Session statistics per side: n, mean, SD, CV; left/right symmetry; fatigue drift.

- SD is the sample standard deviation (n - 1); CV = 100 SD / |mean| in %.
- Symmetry index (Robinson et al. 1987): SI = 100 (L - R) / (0.5 (L + R)) in %; 0 is
  perfect symmetry, positive means the left value is larger.
- Change from the first to the last third of the session: mean of the steps of the last
  third of the session's time minus mean of the first third (same unit as the metric).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from gait_metrics.results import StepResult

__all__ = ["describe", "side_summary", "symmetry_index", "thirds_change"]


def describe(values: np.ndarray) -> dict[str, float]:
    """n, mean, SD, CV (%) of the finite values.

    Examples
    --------
    >>> d = describe(np.array([90.0, 110.0, np.nan]))
    >>> d["n"], d["mean"], round(d["sd"], 3), round(d["cv_pct"], 2)
    (2, 100.0, 14.142, 14.14)
    """
    finite = np.asarray(values, float)
    finite = finite[np.isfinite(finite)]
    n = int(finite.size)
    mean = float(finite.mean()) if n else float("nan")
    sd = float(finite.std(ddof=1)) if n > 1 else float("nan")
    cv = 100.0 * sd / abs(mean) if n > 1 and mean != 0 else float("nan")
    return {"n": n, "mean": mean, "sd": sd, "cv_pct": cv}


def symmetry_index(left: float, right: float) -> float:
    """Robinson's symmetry index in %, NaN if undefined.

    Examples
    --------
    >>> symmetry_index(110.0, 90.0)
    20.0
    """
    mean = 0.5 * (left + right)
    if not np.isfinite(mean) or mean == 0:
        return float("nan")
    return float(100.0 * (left - right) / mean)


def side_summary(steps: Sequence[StepResult], metrics: Sequence[str]) -> dict[str, dict[str, dict[str, float]]]:
    """``{side: {metric: describe(...)}}`` for "left", "right" and "all"."""
    groups = {"left": [s for s in steps if s.side == 0], "right": [s for s in steps if s.side == 1], "all": list(steps)}
    return {name: {m: describe(np.array([getattr(s, m) for s in group], float)) for m in metrics} for name, group in groups.items()}


def thirds_change(steps: Sequence[StepResult], metrics: Sequence[str], start_s: float, end_s: float) -> dict[str, dict[str, float]]:
    """Per side and metric: last-third mean minus first-third mean of the session."""
    third = (end_s - start_s) / 3.0
    out: dict[str, dict[str, float]] = {}
    for name, side in (("left", 0), ("right", 1), ("all", None)):
        chosen = [s for s in steps if side is None or s.side == side]
        early = [s for s in chosen if s.ic_s < start_s + third]
        late = [s for s in chosen if s.ic_s >= end_s - third]
        out[name] = {
            m: describe(np.array([getattr(s, m) for s in late], float))["mean"] - describe(np.array([getattr(s, m) for s in early], float))["mean"]
            for m in metrics
        }
    return out
