"""Statistical parametric mapping on curves whose difference is known by construction."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from gait_metrics import MetricsError
from gait_metrics.spm import spm_ttest2


def test_a_difference_in_mid_stance_is_found_there_only() -> None:
    rng = np.random.default_rng(3)
    pct = np.arange(101.0)
    shape = np.sin(np.pi * pct / 100.0) * 1000.0
    a = shape + rng.normal(0, 30.0, (25, 101))
    b = shape + rng.normal(0, 30.0, (25, 101))
    b[:, 40:61] += 150.0  # the second session is stronger from 40 % to 60 % of stance
    result = spm_ttest2(a, b)
    assert len(result.clusters) == 1
    start, end, p = result.clusters[0]
    assert 35.0 <= start <= 42.0 and 58.0 <= end <= 65.0 and p < 0.05
    assert result.t[50] > result.critical_t


def test_no_difference_no_cluster() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 1, (20, 101)), rng.normal(0, 1, (20, 101))
    assert spm_ttest2(a, b).clusters == ()


def test_too_few_curves_or_no_extra(monkeypatch) -> None:
    with pytest.raises(MetricsError, match="at least 3 curves"):
        spm_ttest2(np.zeros((2, 101)), np.zeros((5, 101)))
    monkeypatch.setitem(sys.modules, "spm1d", None)
    with pytest.raises(MetricsError, match=r"pressure-mat\[spm\]"):
        spm_ttest2(np.zeros((5, 101)), np.zeros((5, 101)))
