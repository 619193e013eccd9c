"""The live page in a real headless browser during a recording from the virtual mat (issue 8).

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them, and sets
MAT_REQUIRE_BROWSER=1 so that a missing browser fails there). Set MAT_SCREENSHOT=PATH to
keep a screenshot of the page (docs/live-view.png is made that way).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import signal
import socket
import subprocess
import time
from pathlib import Path

import aiohttp
import numpy as np
import pytest

from gait_metrics import analyze
from mat_driver.calibration import save_calibration
from mat_driver.recording import open_recording, save_recording
from mat_sim.simulator import simulate
from tests.headless import chromium, have_chromium
from tests.support import MAT_COMMAND, PMAT_SIMULATOR_GRID, wait_for


@pytest.fixture
def browser():
    if not have_chromium():
        if os.environ.get("MAT_REQUIRE_BROWSER"):
            pytest.fail("the browser test needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver")
        pytest.skip("no /usr/bin/chromium + chromedriver here (apt-get install chromium chromium-driver)")
    with chromium() as driver:
        yield driver


# true when more than 1 % of the heatmap's pixels are coloured, i.e. in mid-stance
FOOT_ON_MAT = """
const c = document.getElementById('heatmap'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 600) n++;
return n > 0.01 * c.width * c.height;
"""


def page_url(recorder: subprocess.Popen, log: list[str]) -> str:
    """Read the recorder's stderr until it prints the live page's address."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([recorder.stderr], [], [], 1.0)
        if ready:
            line = recorder.stderr.readline()
            log.append(line)
            found = re.search(r"live view: (http://\S+)", line)
            if found:
                return found.group(1)
        assert recorder.poll() is None, "".join(log)
    raise AssertionError("the recorder printed no live view address: " + "".join(log))


async def misbehave(url: str) -> list:
    """Send the server garbage, then an oversized message; what it answered."""
    answers = []
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(url.replace("http", "ws", 1) + "ws") as ws:
            await ws.send_str("{not json")
            while (message := json.loads((await ws.receive(timeout=5)).data))["type"] != "error":
                pass
            answers.append(message["type"])
            await ws.send_str("x" * 5000)
            while not ws.closed:
                await ws.receive(timeout=5)
            answers.append(ws.close_code)
    return answers


def step_rows(driver) -> list[list[str]]:
    return driver.execute_script("return [...document.querySelectorAll('#step-rows tr')].map(tr => [...tr.cells].map(td => td.textContent));")


def test_the_live_page_follows_a_recording(tmp_path: Path, virtual_mat, browser) -> None:
    port = virtual_mat("shuffling-runner", "--duration", "60", "--protocol", "pmat")
    output, calibration = tmp_path / "live.h5", tmp_path / "cal.json"
    save_calibration(simulate("shuffling-runner", duration_s=1.0).recording().calibration, calibration)
    recorder = subprocess.Popen(
        [
            *MAT_COMMAND,
            "record",
            "--port",
            port,
            *PMAT_SIMULATOR_GRID,
            "--calibration",
            str(calibration),
            "-o",
            str(output),
            "--duration",
            "10",
            "--live",
            "--live-port",
            "0",
            "--no-browser",
            "--target-transition",
            "40:80",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    try:
        url = page_url(recorder, log)
        browser.get(url)
        wait_for(lambda: browser.find_element("id", "connection").text == "connected", 10, "the page to connect")
        canvas = "return document.getElementById('heatmap').toDataURL();"
        first = wait_for(lambda: browser.execute_script(canvas), 5, "a heatmap")
        wait_for(lambda: browser.execute_script(canvas) != first, 10, "the heatmap to change")
        assert asyncio.run(misbehave(url)) == ["error", 1009]  # a bad client, mid-recording
        wait_for(lambda: len(step_rows(browser)) >= 16, 15, "step rows")
        assert not browser.find_element("id", "replay").is_displayed()  # no play controls while recording
        assert browser.find_element("id", "st-state").text == "recording"
        if os.environ.get("MAT_SCREENSHOT"):  # for docs/: a moment with a foot on the mat
            wait_for(lambda: browser.execute_script(FOOT_ON_MAT), 5, "a foot on the mat")
            browser.save_screenshot(os.environ["MAT_SCREENSHOT"])
        out, err = recorder.communicate(timeout=30)
    finally:
        if recorder.poll() is None:
            recorder.kill()
    assert recorder.returncode == 0, "".join(log) + err
    wait_for(lambda: browser.find_element("id", "st-state").text.startswith("finished"), 5, "the final status")
    assert browser.find_element("id", "st-dropped").text == "0"

    rows = step_rows(browser)
    with open_recording(output) as rec:
        offline = analyze(rec).steps
    counted = [row for row in rows if row[4] != "–"]
    assert len(counted) >= 20
    for _, t, side, _, transition, _, strike in counted:
        k = int(np.argmin(np.abs(offline.ic_s - float(t))))
        assert abs(offline.ic_s[k] - float(t)) < 0.015, f"no offline step at {t} s"
        assert offline.included[k] and side.rstrip("?") == offline.side_name[k] and strike == offline.strike_pattern[k]
        assert abs(float(transition) - offline.transition_ms[k]) <= 5.5  # 5 ms, and the page's rounding


def test_the_replay_page_plays_pauses_and_seeks(tmp_path: Path, browser) -> None:
    path = tmp_path / "s.h5"
    save_recording(simulate("trained-runner", seed=2, duration_s=6.0).recording(), path)
    live = subprocess.Popen([*MAT_COMMAND, "live", str(path), "--live-port", "0", "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    try:
        browser.get(page_url(live, log))
        wait_for(lambda: browser.find_element("id", "st-state").text == "paused", 10, "the paused replay")
        assert browser.find_element("id", "replay").is_displayed() and step_rows(browser) == []
        browser.find_element("id", "play").click()
        wait_for(lambda: float(browser.find_element("id", "position").text.split()[0]) > 1.5, 10, "the play head to move")
        assert step_rows(browser), "no steps while playing"
        browser.find_element("id", "play").click()  # now "Pause"
        wait_for(lambda: browser.find_element("id", "st-state").text == "paused", 5, "pause")
        browser.execute_script("const s = document.getElementById('slider'); s.value = 5; s.dispatchEvent(new Event('change'));")
        wait_for(lambda: browser.find_element("id", "position").text == "5.0 s", 5, "the seek")
        with open_recording(path) as rec:
            before = [s for s in analyze(rec).steps if s.to_s <= 5.0]
        wait_for(lambda: len(step_rows(browser)) == len(before), 5, "the table up to 5 s")
    finally:
        live.send_signal(signal.SIGTERM)
        live.wait(20)


def test_the_page_reconnects_when_the_server_comes_back(tmp_path: Path, browser) -> None:
    path = tmp_path / "s.h5"
    save_recording(simulate("trained-runner", seed=2, duration_s=3.0).recording(), path)
    with socket.socket() as probe:  # a free port, to start the server twice on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def serve() -> subprocess.Popen:
        return subprocess.Popen(
            [*MAT_COMMAND, "live", str(path), "--live-port", str(port), "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    first = serve()
    try:
        browser.get(page_url(first, []))
        wait_for(lambda: browser.find_element("id", "connection").text == "connected", 10, "the page to connect")
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(20)
    wait_for(lambda: browser.find_element("id", "connection").text.startswith("disconnected"), 10, "the page to notice")
    second = serve()
    try:
        page_url(second, [])
        wait_for(lambda: browser.find_element("id", "connection").text == "connected", 15, "the page to reconnect")
        wait_for(lambda: browser.find_element("id", "st-state").text == "paused", 5, "the new server's status")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
