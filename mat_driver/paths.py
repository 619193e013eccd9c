"""Output paths: say which file stands where a folder is needed, instead of an OSError.

Every command that writes (recordings, reports, exports) checks its output with these, so
``-o notes.txt/out`` where ``notes.txt`` is a regular file gives one line naming it.
"""

from __future__ import annotations

import os
from pathlib import Path

from mat_driver.errors import RecordingError

__all__ = ["check_folder", "file_in_the_way", "make_folder", "not_a_folder"]


def file_in_the_way(folder: str | os.PathLike[str]) -> Path | None:
    """The nearest existing one of ``folder`` and its ancestors, if it is not a folder.

    ``None`` when ``folder`` exists as a folder, or when its nearest existing ancestor is a
    folder (so ``folder`` can be created).
    """
    for candidate in (Path(folder), *Path(folder).parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None


def not_a_folder(path: str | os.PathLike[str], blocker: Path) -> RecordingError:
    """The error for ``path``, which needs ``blocker`` (itself or an ancestor) to be a folder."""
    where = f"{path}" if Path(path) == blocker else f"{path}: {blocker}"
    return RecordingError(f"{where} is a file, not a folder; choose another -o")


def check_folder(folder: str | os.PathLike[str]) -> Path:
    """Check, without creating anything, that ``folder`` is or can become a folder; return it.

    Raises
    ------
    RecordingError
        If ``folder`` or one of its ancestors is a file.
    """
    target = Path(folder)
    blocker = file_in_the_way(target)
    if blocker is not None:
        raise not_a_folder(target, blocker)
    return target


def make_folder(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` and its missing parents (an existing folder is fine); return it.

    Raises
    ------
    RecordingError
        If ``folder`` or one of its ancestors is a file, or the folder cannot be created.
    """
    target = check_folder(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RecordingError(f"{target}: cannot create this folder: {exc.strerror or exc}") from None
    return target
