"""`mat live` and `mat record --live/--lsl` as a user runs them, including mistakes."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from live_view.lsl import import_pylsl
from live_view.server import LiveViewError
from mat_cli.main import cli
from mat_driver.recording import save_recording
from mat_sim.simulator import simulate
from tests.support import MAT_COMMAND


def one_line_error(args: list[str], code: int = 1) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line.strip()][-1]


@pytest.fixture
def busy_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_mat_live_serves_the_page_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "s.h5"
    save_recording(simulate("trained-runner", seed=1, duration_s=3.0).recording(), path)
    headless = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    live = subprocess.Popen([*MAT_COMMAND, "live", str(path), "--live-port", "0"], stderr=subprocess.PIPE, text=True, env=headless)
    try:
        url = None
        for line in live.stderr:
            found = re.search(r"live view: (http://\S+)", line)
            if found:
                url = found.group(1)
            if "no browser to open here" in line:  # not a text browser in the terminal
                break
        assert url and url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and b"pressure-mat" in page.read()
    finally:
        live.send_signal(signal.SIGTERM)
        rest = live.communicate(timeout=20)[1]
    assert live.returncode == 0 and "live view closed" in rest and "Traceback" not in rest


def test_a_busy_live_port_is_one_line_and_records_nothing(tmp_path: Path, busy_port: int) -> None:
    path = tmp_path / "s.h5"
    save_recording(simulate("trained-runner", seed=1, duration_s=2.0).recording(), path)
    assert f"127.0.0.1:{busy_port} is already in use" in one_line_error(["live", str(path), "--live-port", str(busy_port), "--no-browser"])
    out = tmp_path / "r.h5"
    error = one_line_error(["record", "--port", "loop://", "--device", "pmat-64", "-o", str(out), "--live", "--live-port", str(busy_port), "--no-browser"])
    assert "already in use" in error and "--live-port" in error and not out.exists()


def test_bad_live_options_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "s.h5").write_bytes(b"")
    assert "need 0 <= LOW < HIGH" in one_line_error(["live", str(tmp_path / "s.h5"), "--target-transition", "80:40"], code=2)
    for band in ("80:40", "fast", "40"):
        error = one_line_error(["record", "--port", "loop://", "--device", "pmat-64", "-o", str(tmp_path / "r.h5"), "--target-transition", band], code=2)
        assert "--target-transition" in error and band in error
    assert "does not exist" in one_line_error(["live", str(tmp_path / "missing.h5")], code=2)


def test_lsl_without_pylsl_says_how_to_install_it(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pylsl", None)  # as if the lsl extra were not installed
    with pytest.raises(LiveViewError, match=r"pip install 'pressure-mat\[lsl\]'"):
        import_pylsl()


def test_record_with_lsl_streams_the_recording(tmp_path: Path, virtual_mat) -> None:
    pylsl = import_pylsl()
    port = virtual_mat("trained-runner", "--duration", "30", "--protocol", "pmat")
    output = tmp_path / "lab.h5"
    recorder = subprocess.Popen(
        [*MAT_COMMAND, "record", "--port", port, "--protocol", "pmat", "--rows", "56", "--cols", "160", "-o", str(output), "--duration", "4", "--lsl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        found = pylsl.resolve_byprop("source_id", "pressure-mat-lab-frames", timeout=15)
        assert found and found[0].name() == "lab frames" and found[0].channel_count() == 56 * 160
        inlet = pylsl.StreamInlet(found[0], max_buflen=30)
        inlet.open_stream(timeout=10)
        samples, _ = inlet.pull_chunk(timeout=2.0, max_samples=50)
        deadline = time.monotonic() + 5
        while not samples and time.monotonic() < deadline:
            samples, _ = inlet.pull_chunk(timeout=1.0, max_samples=50)
        assert samples and len(samples[0]) == 56 * 160
    finally:
        out, err = recorder.communicate(timeout=30)
    assert recorder.returncode == 0, err
    assert "duration reached" in out and output.exists()
