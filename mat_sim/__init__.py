"""The gait simulator and the virtual mat: recordings whose answer is known exactly.

Kept apart from :mod:`mat_driver` (devices and recording files) and from
:mod:`gait_metrics` (the analysis), so that the analysis never reads how a foot was drawn:

- :mod:`~mat_sim.footmodel`: the foot, anatomical pressure blobs and their loads;
- :mod:`~mat_sim.plantar`: a second, independent foot (pads under a rocking foot) whose
  truth follows the analysis's written definitions;
- :mod:`~mat_sim.simulator`: sessions, presets and their ground truth;
- :mod:`~mat_sim.virtual_mat`: a simulated session streamed over a pty or TCP in any
  wire protocol, for recording without hardware.
"""

from mat_sim.simulator import PRESETS, SimConfig, Simulation, StepTruth, simulate, truth_steps

__all__ = ["PRESETS", "SimConfig", "Simulation", "StepTruth", "simulate", "truth_steps"]
