"""What the live page costs the recorder (run by hand).

python benchmarks/bench_live.py [--seconds 30] [--fast-rate 400]

1. A 64 x 64 uint16 virtual mat at 100 fps (a runner) is recorded twice, without and with
   the live page open in headless chromium (or, without chromium, a WebSocket client that
   reads everything); prints the recording process's CPU in % of one core and the
   difference (target: the live view adds < 10 % of a core).
2. The same at ``--fast-rate`` fps with the page open: prints dropped frames (target 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.headless and tests.support

from live_view import LiveSession, LiveView, StreamedSteps  # noqa: E402
from mat_driver.devices import DeviceProfile  # noqa: E402
from mat_driver.model import Calibration  # noqa: E402
from mat_driver.recorder import Recorder, RecordingOptions, RecordingSummary  # noqa: E402
from mat_sim.simulator import PRESETS  # noqa: E402
from tests.headless import chromium, have_chromium  # noqa: E402
from tests.support import virtual_mat_process  # noqa: E402

SIMULATOR = PRESETS["shuffling-runner"]


def virtual_mat(rate_hz: float, seconds: float):
    """The virtual mat streaming a 64 x 64 runner at ``rate_hz`` in its own process; yields its port."""
    return virtual_mat_process(
        "shuffling-runner", "--protocol", "pmat", "--rows", "64", "--cols", "64", "--rate", f"{rate_hz:g}", "--duration", f"{seconds + 30:g}"
    )


@contextmanager
def page(url: str) -> Iterator[str]:
    """The page open in headless chromium, else a WebSocket client reading every message."""
    if have_chromium():
        with chromium() as driver:
            driver.get(url)
            drawn, start = driver.execute_script("return state.framesDrawn;"), time.perf_counter()
            yield "headless chromium"
            fps = (driver.execute_script("return state.framesDrawn;") - drawn) / (time.perf_counter() - start)
            print(f"  (the page drew {fps:.1f} heatmap frames/s)")
        return
    stop = threading.Event()

    async def read() -> None:
        async with aiohttp.ClientSession() as client, client.ws_connect(url.replace("http", "ws", 1).split("?")[0] + "ws") as ws:
            while not stop.is_set():
                try:
                    await ws.receive(timeout=0.5)
                except asyncio.TimeoutError:
                    pass

    reader = threading.Thread(target=asyncio.run, args=(read(),), daemon=True)
    reader.start()
    yield "a WebSocket client (no chromium here)"
    stop.set()
    reader.join(5)


def record(rate_hz: float, seconds: float, live: bool) -> tuple[RecordingSummary, float, str]:
    """Record the virtual mat; the recording process's CPU in % of one core."""
    profile = DeviceProfile(name="bench", protocol="pmat", rows=64, cols=64, pitch_row_mm=8.5, pitch_col_mm=8.5, rate_hz=rate_hz)
    calibration = Calibration(gain_kpa=SIMULATOR.gain_kpa, calibrated=True, source="simulator gain")
    with virtual_mat(rate_hz, seconds) as port, tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        recorder = Recorder(port, profile, str(Path(folder) / "bench.h5"), calibration=calibration, options=RecordingOptions(duration_s=seconds))
        viewer = "no page"
        if live:
            session = LiveSession(profile.geometry, rate_hz, calibration)
            view = stack.enter_context(LiveView(session, StreamedSteps(session), port=0))
            recorder.consumers.append(view.feed)
            viewer = stack.enter_context(page(view.url))
        wall, cpu = time.perf_counter(), time.process_time()
        summary = recorder.run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return summary, 100.0 * cpu / wall, viewer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fast-rate", type=float, default=400.0)
    args = parser.parse_args()
    plain, plain_cpu, _ = record(100.0, args.seconds, live=False)
    live, live_cpu, viewer = record(100.0, args.seconds, live=True)
    print(f"64x64 at 100 fps for {args.seconds:g} s, page shown by {viewer}:")
    print(f"  recorder CPU without --live {plain_cpu:5.1f} % of a core ({plain.frames} frames, {plain.dropped} dropped)")
    print(f"  recorder CPU with    --live {live_cpu:5.1f} % of a core ({live.frames} frames, {live.dropped} dropped)")
    print(f"  the live view adds {live_cpu - plain_cpu:.1f} % of a core (target < 10); ratio {live_cpu / plain_cpu:.2f}")
    fast, fast_cpu, viewer = record(args.fast_rate, args.seconds, live=True)
    print(
        f"64x64 at {args.fast_rate:g} fps with the page open ({viewer}): {fast.frames} frames, "
        f"{fast.dropped} dropped (target 0), {fast.rejected} rejected, recorder CPU {fast_cpu:.1f} % of a core"
    )


if __name__ == "__main__":
    main()
