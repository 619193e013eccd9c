"""A MATLAB file (scipy.io.savemat) with the same content as the CSV tables.

Variables: ``info`` (struct), ``steps`` (struct of columns), ``frames`` (struct of
columns), ``curves`` (struct of ``(n_steps, 101)`` arrays), ``summary`` (JSON text).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.io import savemat

from exports.tables import check_new, frame_rows
from gait_metrics import CURVE_NAMES, SessionResult

__all__ = ["write_mat"]


def _columns(rows: list[dict]) -> dict[str, np.ndarray]:
    if not rows:
        return {}
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def write_mat(result: SessionResult, path: Path, *, what: Sequence[str] = ("all",), force: bool = False) -> Path:
    """Write a ``.mat`` file (MATLAB 5 format) and return its path."""
    check_new(path, force)
    every = "all" in what
    content: dict = {"info": {k: ("" if v is None else str(v)) for k, v in result.info.items()}, "summary": result.to_json()}
    if every or "steps" in what:
        content["steps"] = _columns(result.steps_table())
    if every or "frames" in what or "cop" in what:
        content["frames"] = _columns(frame_rows(result, cop_only="cop" in what and not every and "frames" not in what))
    if every or "curves" in what:
        content["curves"] = {name: getattr(result.curves, name) for name in CURVE_NAMES}
    savemat(path, content, do_compression=True, long_field_names=True)
    return path
