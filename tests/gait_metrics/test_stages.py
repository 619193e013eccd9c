"""The analysis' stages: each a named value that can be inspected, together the analysis."""

from __future__ import annotations

import numpy as np
import pytest

from gait_metrics import analyze
from gait_metrics.analyze import analysis_stages
from mat_sim.simulator import simulate


def test_the_stages_are_the_analysis_and_each_can_be_inspected() -> None:
    sim = simulate("treadmill-walker", seed=5, duration_s=6.0)
    recording = sim.recording()
    stages = analysis_stages(recording)
    assert stages.result().to_json() == analyze(recording).to_json()
    n = stages.session.n
    assert n == len(stages.steps) > 5
    assert stages.sides.side.shape == (n,) and stages.contacts.heel_mm.shape == (n, 2)
    assert stages.loads.force_n.shape == stages.sums.pressure.shape == (len(stages.session.layout),)
    # the set belt speed, within the simulated belt's dip under load (belt_dip_frac 4 %)
    assert stages.belt_estimate_m_s == pytest.approx(sim.config.belt_speed_m_s, rel=sim.config.belt_dip_frac)
    included = ~(stages.exclude_reason != "")
    assert np.array_equal(np.sort(np.flatnonzero(included)), np.sort(stages.order[stages.steps.included]))
