"""``mat demo``: the first thing a newcomer runs; no hardware needed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from gait_metrics import analyze
from mat_driver.errors import RecordingError
from mat_driver.paths import make_folder
from mat_driver.recording import open_recording, save_recording
from mat_sim.simulator import simulate
from plots import compare_report, session_report

DEMO_SUBJECT = "DEMO-01"
#: (file stem, preset, condition) of the demo sessions: the same runner before and after training.
DEMO_SESSIONS = (("before", "shuffling-runner", "before"), ("after", "trained-runner", "after"))


@click.command()
@click.option(
    "-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("mat-demo"), show_default=True, help="Folder for the demo files."
)
@click.option("--duration", "duration_s", type=click.FloatRange(min=5), default=60.0, show_default=True, help="Length of each session, s.")
@click.option("--force", is_flag=True, help="Overwrite files in the folder even if an earlier demo did not write them.")
def demo(folder: Path, duration_s: float, force: bool) -> None:
    """Simulate a runner with a slow push-off before and after training, on a treadmill mat.

    Writes the two recordings, a report of each (PDF, HTML, PNG, summary.json) and their
    comparison (PDF, HTML, PNG, comparison.json) into the folder, and says where. Running it again replaces the files of the
    earlier demo, never anything else (unless --force).

    Example: mat demo -o /tmp/mat-demo
    """
    make_folder(folder)
    paths = [folder / f"{stem}.h5" for stem, _, _ in DEMO_SESSIONS]
    for path in paths:
        if path.exists() and not force and not _is_demo_file(path):
            raise RecordingError(f"{path}: exists and is not a demo file; pass --force to overwrite it or -o another folder")
    for path, (_, preset, condition) in zip(paths, DEMO_SESSIONS):
        sim = simulate(preset, seed=1, duration_s=duration_s)
        rec = sim.recording()
        rec.metadata = dataclasses.replace(rec.metadata, subject_id=DEMO_SUBJECT, condition=condition)
        save_recording(rec, path, force=True)
        truth = sim.truth
        click.echo(f"{path}: {preset} ({condition}), {rec.duration_s:.0f} s, {len(truth['step_side'])} steps, belt {rec.metadata.belt_speed_m_s:g} m/s")
    results = []
    for path in paths:
        result = analyze(path)
        results.append(result)
        written = session_report(result, folder / f"{path.stem}-report")
        click.echo(
            f"{written['pdf']}: report ({len(result.included())} steps, transition {result.summary['all']['transition_ms']['mean']:.0f} ms); also {written['html'].name}, summary.json, PNGs"
        )
    _, written = compare_report(results, [c for _, _, c in DEMO_SESSIONS], folder / "comparison")
    click.echo(f"{written['pdf']}: before/after comparison; also {written['html'].name}, comparison.json")
    click.echo(f"open {written['html']} in a browser, or watch a session on the live page: mat live {paths[0]}")


def _is_demo_file(path: Path) -> bool:
    """True for a recording an earlier ``mat demo`` wrote (safe to replace)."""
    try:
        with open_recording(path) as rec:
            return rec.metadata.subject_id == DEMO_SUBJECT and rec.metadata.device_model == "pressure-mat simulator"
    except RecordingError:
        return False


COMMANDS = (demo,)
