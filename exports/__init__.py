"""Research exports: analysis results as tidy tables, MATLAB files, C3D and JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from exports.matlab import write_mat
from exports.tables import WHAT, write_csv_tables
from gait_metrics import SessionResult

__all__ = ["EXPORT_FORMATS", "WHAT", "export_session"]

#: Export formats (c3d needs the optional extra ``c3d``).
EXPORT_FORMATS = ("csv", "mat", "c3d", "json")


def export_session(result: SessionResult, output: Path, *, format: str, what: Sequence[str] = ("all",), force: bool = False) -> list[Path]:
    """Write ``result`` in ``format``; ``output`` is a folder (csv) or a file path."""
    if format == "csv":
        return write_csv_tables(result, output, what=what, force=force)
    if format == "mat":
        return [write_mat(result, output, what=what, force=force)]
    if format == "json":
        from exports.tables import check_new

        check_new(output, force)
        output.write_text(result.to_json(indent=2) + "\n", encoding="utf-8")
        return [output]
    if format == "c3d":
        from exports.c3d import write_c3d

        return [write_c3d(result, output, force=force)]
    raise ValueError(f"unknown export format {format!r}; formats: {', '.join(EXPORT_FORMATS)}")
