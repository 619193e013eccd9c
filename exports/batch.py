"""Analyse many recordings into one tidy step table and one session table.

Work runs in local processes, or on a Dask distributed cluster (optional extra
``cluster``) when a scheduler address is given. One failing recording is reported and the
others still finish.
"""

from __future__ import annotations

import glob
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from gait_metrics import SUMMARY_METRICS, MetricsError, SessionResult, analyze
from mat_driver.errors import MatError, RecordingError

__all__ = ["BatchResult", "expand_inputs", "analyze_one", "run_batch", "session_row"]


@dataclass
class BatchResult:
    """Rows of every step and every session, and the recordings that failed (path, why)."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def expand_inputs(inputs: Sequence[str]) -> list[Path]:
    """Paths, folders (their ``*.h5``, recursively) and glob patterns, sorted, unique.

    Raises :class:`RecordingError` naming every input that does not exist, in at most
    three lines (the first two, then the rest on one line).
    """
    found: set[Path] = set()
    missing: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.update(path.rglob("*.h5"))
        elif any(ch in item for ch in "*?["):
            found.update(Path(p) for p in glob.glob(item, recursive=True))
        elif path.exists():
            found.add(path)
        else:
            missing.append(item)
    if missing:
        lines = [f"{item}: no such file or folder" for item in missing[:3]]
        if len(missing) > 3:
            lines[2:] = [f"and {len(missing) - 2} more inputs that do not exist: {', '.join(missing[2:])}"]
        raise RecordingError("\n".join(lines))
    return sorted(found)


def session_row(result: SessionResult) -> dict[str, Any]:
    """One row per session: identity, counts, and per side the mean and SD of every metric."""
    row: dict[str, Any] = {k: result.info.get(k) for k in ("recording", "subject_id", "condition", "setup", "start_utc", "duration_s")}
    row["belt_speed_set_m_s"] = result.info.get("belt_speed_set_m_s")
    row["belt_speed_estimated_m_s"] = result.info.get("belt_speed_estimated_m_s")
    row["steps_included"] = result.quality["steps_included"]
    row["frames_dropped"] = result.quality["frames_dropped"]
    for side in ("left", "right", "all"):
        for metric in SUMMARY_METRICS:
            stats = result.summary[side][metric]
            row[f"{metric}_{side}_mean"] = stats["mean"]
            row[f"{metric}_{side}_sd"] = stats["sd"]
    for metric in SUMMARY_METRICS:
        row[f"{metric}_symmetry_index_pct"] = result.symmetry[metric]
    row["notices"] = "; ".join(result.notices)
    return row


def analyze_one(path: str) -> tuple[str, list[dict[str, Any]] | None, dict[str, Any] | None, str]:
    """Analyse one file: ``(path, step rows, session row, "")`` or ``(path, None, None, why)``."""
    try:
        result = analyze(path)
        return path, result.steps_table(), session_row(result), ""
    except (MatError, MetricsError, OSError, ValueError) as exc:
        return path, None, None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _collect(outcomes: Iterable[tuple[str, Any, Any, str]], result: BatchResult, progress: Callable[[str], None]) -> None:
    for path, steps, session, why in outcomes:
        if why:
            result.failures.append((path, why))
        else:
            result.steps.extend(steps)
            result.sessions.append(session)
        progress(path)


def run_batch(paths: Sequence[Path], *, workers: int = 1, scheduler: str | None = None, progress: Callable[[str], None] = lambda p: None) -> BatchResult:
    """Analyse every path; rows come back in the order of ``paths``."""
    names = [str(p) for p in paths]
    result = BatchResult()
    if scheduler:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise MatError("--scheduler needs the optional extra: pip install 'pressure-mat[cluster]'") from None
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise MatError(f"{scheduler}: cannot reach the Dask scheduler ({exc})") from None
        with client:
            futures = client.map(analyze_one, names, pure=False)
            _collect((f.result() for f in dask_completed(futures)), result, progress)
    elif workers <= 1:
        _collect((analyze_one(n) for n in names), result, progress)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, os.cpu_count() or 1, len(names) or 1)) as pool:
            submitted = [pool.submit(analyze_one, n) for n in names]
            _collect((f.result() for f in as_completed(submitted)), result, progress)
    order = {n: k for k, n in enumerate(names)}
    result.sessions.sort(key=lambda r: order.get(r["recording"], 0))
    result.steps.sort(key=lambda r: (order.get(r["recording"], 0), r["step"]))
    result.failures.sort(key=lambda f: order.get(f[0], 0))
    return result
