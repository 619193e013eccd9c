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

from dataclasses import dataclass, fields
from typing import Any, Iterator, Mapping

import numpy as np

__all__ = [
    "STATISTICS",
    "GROUPS",
    "Record",
    "MetricStats",
    "SideSummary",
    "Summary",
    "describe",
    "symmetry_index",
    "side_summary",
    "thirds_change",
    "transition_summary",
]

#: The statistics of :func:`describe`.
STATISTICS = ("n", "mean", "sd", "cv_pct")

#: Groups of steps summarised: by side, and all together.
GROUPS = ("left", "right", "all")


class Record(Mapping[str, Any]):
    """Read-only ``record["name"]`` access to the fields of a frozen dataclass that are
    set (not None), and ``to_dict()`` of them in field order (the JSON form)."""

    def __getitem__(self, key: str) -> Any:
        if key not in self.keys():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def keys(self) -> list[str]:  # type: ignore[override]
        """The names of the fields that are set, in order."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """Plain ``{name: value}`` (nested records as dicts too)."""
        values = {key: self[key] for key in self}
        return {key: value.to_dict() if isinstance(value, Record) else value for key, value in values.items()}


@dataclass(frozen=True, eq=False)
class MetricStats(Record):
    """n, mean, SD and CV (%) of one metric's finite values (:func:`describe`), in the
    metric's unit; NaN where undefined. ``stats.mean`` or ``stats["mean"]``. The transition
    time's also have ``median``, ``q1``, ``q3``, ``iqr`` (ms) and ``n_well_conditioned``
    (:func:`transition_summary`); None (and left out of :meth:`to_dict`) for other metrics."""

    n: int
    mean: float
    sd: float
    cv_pct: float
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    iqr: float | None = None
    n_well_conditioned: int | None = None


@dataclass(frozen=True, eq=False)
class SideSummary(Record):
    """:class:`MetricStats` of every summarised metric over one group's included steps:
    ``summary.transition_ms.mean`` or ``summary["transition_ms"]["mean"]``."""

    metrics: dict[str, MetricStats]

    def __getitem__(self, key: str) -> MetricStats:
        return self.metrics[key]

    def keys(self) -> list[str]:  # type: ignore[override]
        """The metrics' names."""
        return list(self.metrics)

    def __getattr__(self, name: str) -> MetricStats:
        metrics = self.__dict__.get("metrics", {})
        if name in metrics:
            return metrics[name]
        raise AttributeError(f"{type(self).__name__} has no metric {name!r}")


@dataclass(frozen=True, eq=False)
class Summary(Record):
    """Per group of :data:`GROUPS` (``left``, ``right``, ``all``): its :class:`SideSummary`.
    ``summary.left.transition_ms.mean`` or ``summary["left"]["transition_ms"]["mean"]``."""

    left: SideSummary
    right: SideSummary
    all: SideSummary

    @classmethod
    def from_dict(cls, summary: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> "Summary":
        """From ``{group: {metric: {statistic: value}}}`` (:func:`side_summary`, with
        :func:`transition_summary`'s statistics added to ``transition_ms``)."""
        return cls(**{group: SideSummary({name: MetricStats(**stats) for name, stats in summary[group].items()}) for group in GROUPS})


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
        out[group] = {
            "median": float(median),
            "q1": float(q1),
            "q3": float(q3),
            "iqr": float(q3 - q1),
            "n_well_conditioned": int(np.count_nonzero(np.asarray(well_conditioned, bool)[mask])),
        }
    return out
