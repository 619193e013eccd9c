"""How step count, sides and transition error degrade with the sensor (run by hand).

python benchmarks/noise_levels.py [--models blobs plantar] [--presets ...] [--seed 11]
                                  [--duration 12]

Simulates each preset on each foot model at each of the simulator's sensor levels
(``mat_sim.simulator.SENSOR_LEVELS``: clean, velostat, bad), analyses it with
``gait_metrics.analyze`` and prints one Markdown row per (model, preset, level): whole true
steps, steps found, sides correct (%), the transition time's median error against the truth
(ms) and its shift from the clean level (ms), the median cell's noise SD and the loaded
level (kPa), dead / stuck cells found (of the simulated), the median step's share of force
in saturated cells (%), the force the saturation fill added (%), and the verdict too noisy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.validation_support

from mat_sim.simulator import FOOT_MODELS, PRESETS, SENSOR_LEVELS  # noqa: E402
from tests.validation_support import ValidatedSession  # noqa: E402

_HEADER = (
    "model",
    "preset",
    "level",
    "whole",
    "found",
    "sides %",
    "trans err ms",
    "vs clean ms",
    "noise SD kPa",
    "level kPa",
    "dead/stuck found",
    "saturated %",
    "added %",
    "too noisy",
)


def _transition_error_ms(session: ValidatedSession) -> float:
    errors = session.transition_errors_ms()
    errors = errors[np.isfinite(errors)]
    return float(np.median(errors)) if errors.size else float("nan")


def _row(session: ValidatedSession, level: str, clean_ms: float) -> str:
    quality, steps = session.result.quality, session.result.steps
    error = _transition_error_ms(session)
    sides = [steps.side[k] == t.side for k, t in session.pairs]
    found = f"{len(quality['dead_cells'])}/{int(session.sim.dead_cells.sum())} / {len(quality['stuck_cells'])}/{int(session.sim.stuck_cells.sum())}"
    cells = (
        session.foot_model,
        session.preset,
        level,
        str(len(session.whole_steps)),
        str(len(session.pairs)),
        f"{100.0 * np.mean(sides):.0f}" if sides else "-",
        f"{error:+.1f}",
        f"{error - clean_ms:+.1f}",
        f"{quality['noise_sd_kpa']['median']:.1f}",
        f"{quality['loaded_level_kpa']:.1f}",
        found,
        f"{np.median(steps.saturated_force_pct[steps.included]):.0f}" if steps.included.any() else "-",
        f"{quality['saturation_added_force_pct']:.1f}",
        "yes" if quality["too_noisy"] else "no",
    )
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(FOOT_MODELS), choices=FOOT_MODELS)
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--duration", type=float, default=12.0, help="session length, s (overground walkers: twice that)")
    args = parser.parse_args()
    print(f"seed {args.seed}, {args.duration:g} s each")
    print("| " + " | ".join(_HEADER) + " |\n|" + "---|" * len(_HEADER))
    for model in args.models:
        for preset in args.presets:
            duration = 2 * args.duration if PRESETS[preset].setup == "walkway" else args.duration
            clean_ms = float("nan")
            for level, sensor in SENSOR_LEVELS.items():
                session = ValidatedSession(preset, model, seed=args.seed, duration_s=duration, **sensor)
                clean_ms = _transition_error_ms(session) if level == "clean" else clean_ms
                print(_row(session, level, clean_ms), flush=True)


if __name__ == "__main__":
    main()
