"""Statistical parametric mapping of stance curves (optional extra ``spm``: spm1d).

Two sessions' curves over 0..100 % of stance (e.g. vertical force) are compared point by
point with a two-sample t-test; random field theory (Pataky 2012, spm1d) sets the critical
t so that the whole curve keeps a 5 % false-positive rate. The stretches where |t| exceeds
it are the significant parts of stance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait_metrics._validation import MetricsError

__all__ = ["SpmResult", "spm_ttest2"]


@dataclass(frozen=True, eq=False)
class SpmResult:
    """The t curve (B - A), its critical value, and the significant stretches as
    ``(start %, end %, p)``."""

    t: np.ndarray
    critical_t: float
    clusters: tuple[tuple[float, float, float], ...]


def spm_ttest2(a: np.ndarray, b: np.ndarray, *, alpha: float = 0.05) -> SpmResult:
    """SPM two-sample t-test of curves ``a`` ``(n_a, 101)`` against ``b`` ``(n_b, 101)``.

    Raises
    ------
    MetricsError
        If spm1d is not installed or a session has fewer than 3 curves.
    """
    try:
        import spm1d
    except ImportError:
        raise MetricsError("SPM needs the optional extra: pip install 'pressure-mat[spm]'") from None
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 3 or len(b) < 3:
        raise MetricsError(f"SPM needs at least 3 curves per session, got {len(a)} and {len(b)}")
    inference = spm1d.stats.ttest2(b, a).inference(alpha, two_tailed=True)
    clusters = tuple((float(c.endpoints[0]), float(c.endpoints[1]), float(c.P)) for c in inference.clusters if c.P < alpha)
    return SpmResult(t=np.asarray(inference.z, float), critical_t=float(inference.zstar), clusters=clusters)
