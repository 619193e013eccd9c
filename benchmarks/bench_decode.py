"""Decode throughput per protocol (run by hand: python benchmarks/bench_decode.py).

A 64 x 64 stream of simulated frames is encoded in each protocol, then decoded in 4 KiB
chunks. Prints MB/s and the ratio to the plain floor: np.frombuffer over the same bytes.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mat_driver.frame import Frame
from mat_driver.protocols import PROTOCOLS, get_codec
from mat_sim.simulator import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=2000)
    args = parser.parse_args()
    sim = simulate("trained-runner", seed=1, duration_s=args.frames / 100.0, rows=64, cols=64)
    frames = sim.render(0, sim.n_frames)
    print(f"{'protocol':<12}{'MB':>8}{'MB/s':>10}{'floor MB/s':>12}{'ratio':>8}{'frames/s':>10}")
    for name in PROTOCOLS:
        params = {"rows": 64, "cols": 64}
        encoder = get_codec(name, **params)
        scale = frames if encoder.max_value >= 4095 else np.minimum(frames // 16, encoder.max_value)
        stream = b"".join(encoder.encode_frame(Frame(f, i, i * 10000)) for i, f in enumerate(scale))
        decoder = get_codec(name, **params)
        start = time.perf_counter()
        got = 0
        for pos in range(0, len(stream), 4096):
            got += len(decoder.feed(stream[pos : pos + 4096]))
        took = time.perf_counter() - start
        start = time.perf_counter()
        for pos in range(0, len(stream), 4096):
            np.frombuffer(stream[pos : pos + 4096 - (4096 % 2)], np.uint8)
        floor = time.perf_counter() - start
        mb = len(stream) / 1e6
        print(f"{name:<12}{mb:8.1f}{mb / took:10.1f}{mb / floor:12.1f}{took / floor:8.1f}{got / took:10.0f}")


if __name__ == "__main__":
    main()
