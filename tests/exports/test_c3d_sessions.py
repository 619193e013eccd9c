"""C3D export of whole sessions (issue 16): 60 s and 10 min of running read back with every
foot strike and foot off, the full analog length, and a parameter section within the
format's byte limits; a session beyond them is refused in one line before anything is written."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

import ezc3d
import numpy as np
import pytest
from click.testing import CliRunner

import exports.c3d
from exports import export_session
from gait_metrics import SessionResult, analyze
from mat_cli.main import cli
from mat_driver.recording import save_recording
from mat_sim.simulator import simulate
from tests.validation_support import ValidatedSession

#: 180 steps a minute: the runner preset with the most events per minute.
PRESET = "fast-runner"

#: Event label per StepTable column, context per side code.
LABELS = {"ic_s": "Foot Strike", "to_s": "Foot Off"}
CONTEXTS = ("Left", "Right")

#: struct codes of the numeric parameter types (element size in bytes).
NUMBERS = {1: "b", 2: "h", 4: "f"}


@dataclass(frozen=True)
class Parameter:
    """One parameter record as stored: element size (-1 char), dimensions, data, and whether
    the record's length (its offset to the next record) is what its dimensions say."""

    kind: int
    dims: tuple[int, ...]
    data: bytes
    length_matches_dims: bool

    def values(self) -> list:
        """Strings (char arrays, first dimension their length) or numbers, in stored order."""
        if self.kind == -1:
            width = self.dims[0] if self.dims else len(self.data)
            return [self.data[k : k + width].decode().rstrip() for k in range(0, len(self.data), width)] if width else [""] * math.prod(self.dims[1:])
        return list(struct.unpack(f"<{len(self.data) // self.kind}{NUMBERS[self.kind]}", self.data))


def read_c3d_layout(path: Path) -> tuple[dict[str, int], dict[str, Parameter]]:
    """The header words this export relies on and every parameter ("GROUP:NAME"), read with
    nothing but the C3D format description (c3d.org, Intel processor type)."""
    raw = path.read_bytes()
    assert raw[1] == 0x50, "not a C3D file"
    first, last, data_start = struct.unpack_from("<2H", raw, 6) + struct.unpack_from("<H", raw, 16)
    start = 512 * (raw[0] - 1)
    header = {"first_frame": first, "last_frame": last, "data_start": data_start, "parameter_blocks": raw[start + 2], "processor": raw[start + 3]}
    groups: dict[int, str] = {}
    records: list[tuple[int, str, Parameter]] = []
    at = start + 4
    while raw[at]:
        n_name, group = struct.unpack_from("<bb", raw, at)
        name = raw[at + 2 : at + 2 + abs(n_name)].decode()
        here = at + 2 + abs(n_name)
        (offset,) = struct.unpack_from("<H", raw, here)
        if group < 0:
            groups[-group] = name
        else:
            kind, n_dims = struct.unpack_from("<bB", raw, here + 2)
            dims = tuple(raw[here + 4 : here + 4 + n_dims])
            begin = here + 4 + n_dims
            size = abs(kind) * math.prod(dims)
            length = 4 + n_dims + size + 1 + raw[begin + size]
            records.append((group, name, Parameter(kind, dims, raw[begin : begin + size], offset in (0, length))))
        if not offset:
            break
        at = here + offset
    header["parameter_end"] = at - start
    return header, {f"{groups[group]}:{name}": p for group, name, p in records}


def events_in(c3d: ezc3d.c3d) -> list[tuple[str, str, float]]:
    """(label, context, time s) of every event, EVENT:LABELS, LABELS2, ... read as one array."""
    group = c3d["parameters"]["EVENT"]

    def joined(name: str) -> list:
        parts = [name] + [f"{name}{k}" for k in range(2, 100) if f"{name}{k}" in group]
        return [v for part in parts for v in (np.asarray(group[part]["value"]).T.tolist() if name == "TIMES" else group[part]["value"])]

    times = [60.0 * minutes + seconds for minutes, seconds in joined("TIMES")]
    labels, contexts = joined("LABELS"), joined("CONTEXTS")
    assert len(labels) == len(contexts) == len(times) == group["USED"]["value"][0]
    return list(zip(labels, contexts, times))


def expected_events(result: SessionResult) -> list[tuple[str, str, float]]:
    """Foot strike and foot off of every included step of a known side, from the step table."""
    steps = result.steps
    rows = [k for k in np.flatnonzero(steps.mask(included=True)) if steps.side[k] in (0, 1)]
    return [(label, CONTEXTS[steps.side[k]], float(getattr(steps, column)[k])) for column, label in LABELS.items() for k in rows]


def assert_same_events(found: list[tuple[str, str, float]], expected: list[tuple[str, str, float]], tolerance_s: float) -> None:
    """Equal counts per label and context, and times pairwise within ``tolerance_s``."""
    for label in LABELS.values():
        for context in CONTEXTS:
            got = sorted(t for lab, con, t in found if (lab, con) == (label, context))
            want = sorted(t for lab, con, t in expected if (lab, con) == (label, context))
            assert len(got) == len(want) > 0, (label, context)
            assert np.abs(np.subtract(got, want)).max() <= tolerance_s, (label, context)


@pytest.fixture(scope="module")
def minute() -> ValidatedSession:
    return ValidatedSession(PRESET, "blobs", seed=0, duration_s=60.0)


@pytest.fixture(scope="module")
def ten_minutes() -> SessionResult:
    return analyze(simulate(PRESET, seed=1, duration_s=600.0).recording())


@pytest.mark.parametrize("session", ["minute", "ten_minutes"])
def test_a_whole_session_reads_back(session: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    fixture = request.getfixturevalue(session)
    result = fixture.result if isinstance(fixture, ValidatedSession) else fixture
    n_frames, frame_s = result.frames.time_s.size, 1.0 / float(result.info["rate_hz"])
    expected = expected_events(result)
    assert len(expected) > exports.c3d.C3D_MAX_ENTRIES  # the event arrays must be split
    (path,) = export_session(result, tmp_path / "s.c3d", format="c3d")

    c3d = ezc3d.c3d(str(path))
    analogs = c3d["data"]["analogs"][0]
    assert analogs.shape == (len(exports.c3d.C3D_CHANNELS), n_frames)
    fz = analogs[list(c3d["parameters"]["ANALOG"]["LABELS"]["value"]).index("Fz")]
    np.testing.assert_allclose(fz, np.nan_to_num(result.frames.force_n), rtol=1e-5, atol=1e-3)
    assert_same_events(events_in(c3d), expected, frame_s)

    header, parameters = read_c3d_layout(path)
    assert [name for name, p in parameters.items() if not p.length_matches_dims] == []
    assert (header["processor"], header["first_frame"], header["last_frame"]) == (84, 1, n_frames)
    assert [v % 65536 for v in parameters["POINT:FRAMES"].values()] == [n_frames]  # an unsigned 16-bit integer
    assert header["parameter_end"] <= 512 * header["parameter_blocks"] and header["data_start"] == 2 + header["parameter_blocks"]
    chunks = [name for name in parameters if name.startswith("EVENT:LABELS")]
    assert len(chunks) == math.ceil(len(expected) / exports.c3d.C3D_MAX_ENTRIES)
    labels = [v for name in chunks for v in parameters[name].values()]
    assert sorted(labels) == sorted(label for label, _, _ in expected) and parameters["EVENT:USED"].values() == [len(expected)]
    assert all(p.dims[-1] <= exports.c3d.C3D_MAX_ENTRIES for name, p in parameters.items() if name.startswith("EVENT:") and p.dims)


def test_the_events_match_the_simulator_truth(minute: ValidatedSession, tmp_path: Path) -> None:
    (path,) = export_session(minute.result, tmp_path / "s.c3d", format="c3d")
    truth = [
        (label, CONTEXTS[true.side], getattr(true, column))
        for column, label in LABELS.items()
        for k, true in minute.pairs
        if minute.result.steps.side[k] in (0, 1)
    ]
    assert_same_events(events_in(ezc3d.c3d(str(path))), truth, minute.frame_s)


@pytest.mark.parametrize(("limit", "value", "message"), [("C3D_MAX_FRAMES", 400, "500 frames"), ("C3D_MAX_EVENTS", 4, "foot strike and foot off events")])
def test_a_session_beyond_the_limits_is_refused_in_one_line(limit: str, value: int, message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    recording = save_recording(simulate(PRESET, seed=2, duration_s=5.0).recording(), tmp_path / "r.h5")
    monkeypatch.setattr(exports.c3d, limit, value)
    out = tmp_path / "r.c3d"
    result = CliRunner().invoke(cli, ["export", str(recording), "--format", "c3d", "-o", str(out)])
    assert result.exit_code == 1 and not out.exists(), result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert str(out) in result.output and message in result.output and "--format csv" in result.output and "--format mat" in result.output
