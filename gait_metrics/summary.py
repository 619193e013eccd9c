"""Session statistics per side: n, mean, SD, CV; left/right symmetry; change over the session.

- SD is the sample standard deviation (n - 1); CV = 100 SD / |mean| in %.
- Symmetry index (Robinson et al. 1987; as used by Plotnik et al. 2007 for gait
  asymmetry): ``SI = 100 (L - R) / (0.5 (L + R))`` in %; 0 is perfect symmetry, positive
  means the left value is larger. Undefined (NaN) when ``L + R`` is 0.
- Transition time, besides the above: median, quartiles and IQR (``q3 - q1``, numpy's
  linear percentiles) of the included steps' ``transition_ms``, and the number of them
  that are well conditioned (``n_well_conditioned``, see :mod:`gait_metrics.robustness`).
- Change over the session: mean of the steps in the last third of the session's time minus
  the mean of those in the first third (fatigue, warm-up), in the metric's own unit.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

__all__ = ["STATISTICS", "GROUPS", "describe", "symmetry_index", "side_summary", "thirds_change", "transition_summary"]

#: The statistics of :func:`describe`.
STATISTICS = ("n", "mean", "sd", "cv_pct")

#: Groups of steps summarised: by side, and all together.
GROUPS = ("left", "right", "all")


def describe(values: np.ndarray) -> dict[str, float]:
    """n, mean, SD and CV (%) of the finite values.

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
    """Symmetry index in %, NaN if undefined.

    Examples
    --------
    >>> symmetry_index(110.0, 90.0)
    20.0
    """
    mean = 0.5 * (left + right)
    if not np.isfinite(mean) or mean == 0:
        return float("nan")
    return float(100.0 * (left - right) / mean)


def _groups(side: np.ndarray, included: np.ndarray) -> dict[str, np.ndarray]:
    return {"left": included & (side == 0), "right": included & (side == 1), "all": included}


def side_summary(columns: Mapping[str, np.ndarray], side: np.ndarray, included: np.ndarray) -> dict[str, dict[str, dict[str, float]]]:
    """``{group: {metric: describe(...)}}`` over the included steps of each group."""
    return {group: {name: describe(values[mask]) for name, values in columns.items()} for group, mask in _groups(side, included).items()}


def thirds_change(
    columns: Mapping[str, np.ndarray], side: np.ndarray, included: np.ndarray, ic_s: np.ndarray, *, start_s: float, end_s: float
) -> dict[str, dict[str, float]]:
    """Per group and metric: mean of the last third of the session minus the first third's."""
    third = (end_s - start_s) / 3.0
    early = ic_s < start_s + third
    late = ic_s >= end_s - third
    return {
        group: {name: describe(values[mask & late])["mean"] - describe(values[mask & early])["mean"] for name, values in columns.items()}
        for group, mask in _groups(side, included).items()
    }


def transition_summary(transition_ms: np.ndarray, well_conditioned: np.ndarray, side: np.ndarray, included: np.ndarray) -> dict[str, dict[str, float]]:
    """Per group: ``median``, ``q1``, ``q3``, ``iqr`` of the finite transition times (ms,
    NaN without any) and ``n_well_conditioned`` over the included steps.

    Examples
    --------
    >>> s = transition_summary(np.array([100.0, 110, 120, 60]), np.array([True, True, False, True]), np.array([0, 0, 0, 1]), np.ones(4, bool))
    >>> s["left"]["median"], s["left"]["iqr"], s["left"]["n_well_conditioned"], s["right"]["median"]
    (110.0, 10.0, 2, 60.0)
    """
    out = {}
    for group, mask in _groups(side, included).items():
        values = np.asarray(transition_ms, float)[mask]
        values = values[np.isfinite(values)]
        q1, median, q3 = np.percentile(values, [25.0, 50.0, 75.0]) if values.size else (np.nan,) * 3
        out[group] = {"median": float(median), "q1": float(q1), "q3": float(q3), "iqr": float(q3 - q1), "n_well_conditioned": int(np.count_nonzero(np.asarray(well_conditioned, bool)[mask]))}
    return out
