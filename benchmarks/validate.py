"""The analysis against both simulator foot models on every preset (run by hand).

python benchmarks/validate.py [--models blobs plantar] [--presets ...] [--seeds 101 202]
                              [--duration 30] [--level clean|velostat|bad] [--sensor KEY=VALUE ...]

Simulates each preset on each foot model with each seed, analyses it with
``gait_metrics.analyze``, pairs every included step with its true step (nearest initial
contact) and prints one Markdown row per (model, preset), pooled over the seeds: steps
found / whole true steps (found steps whose true step is cut), sides correct (%), median
|error| of IC, FF, HO, TO in frames, the transition time's median error (signed and
absolute, ms), the SD of its per-step error (ms) and the steps measured without one (NaN
where the truth has one), strike pattern correct (%). ``--level velostat`` puts every
session on one of the simulator's sensor levels (``mat_sim.simulator.SENSOR_LEVELS``;
default: each preset's own sensor); ``--sensor gain_kpa=0.2 --sensor noise_counts=4``
overrides SimConfig fields for every session (after the level). The seeds differ from the
tests' own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.validation_support

from mat_sim.simulator import FOOT_MODELS, PRESETS, SENSOR_LEVELS  # noqa: E402
from tests.validation_support import ValidatedSession, error_row, format_table  # noqa: E402


def _setting(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` with VALUE as an int, a float, or else the string."""
    key, _, value = text.partition("=")
    if not key or not value:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    for kind in (int, float):
        try:
            return key, kind(value)
        except ValueError:
            pass
    return key, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(FOOT_MODELS), choices=FOOT_MODELS)
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[101, 202])
    parser.add_argument("--duration", type=float, default=30.0, help="session length, s")
    parser.add_argument("--level", choices=SENSOR_LEVELS, default=None, help="sensor level for every session (default: each preset's own)")
    parser.add_argument("--sensor", type=_setting, action="append", default=[], metavar="KEY=VALUE", help="SimConfig override for every session (repeatable)")
    args = parser.parse_args()
    overrides = {**(SENSOR_LEVELS[args.level] if args.level else {}), **dict(args.sensor)}
    rows = []
    for model in args.models:
        for preset in args.presets:
            sessions = [ValidatedSession(preset, model, seed=seed, duration_s=args.duration, **overrides) for seed in args.seeds]
            rows.append(error_row(sessions))
            print(format_table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)  # progress
    print(f"seeds {' '.join(map(str, args.seeds))}, {args.duration:g} s each" + (f", {overrides}" if overrides else ""))
    print(format_table(rows))


if __name__ == "__main__":
    main()
