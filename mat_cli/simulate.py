"""``mat simulate`` and ``mat demo``: recordings and a virtual mat without hardware."""

from __future__ import annotations

import click

from mat_cli.options import force_option, output_file
from mat_driver.protocols import PROTOCOLS, get_codec
from mat_driver.recording import check_writable, save_recording
from mat_sim.simulator import FOOT_MODELS, PRESETS, SENSOR_LEVELS
from mat_sim.simulator import simulate as run_simulation
from mat_sim.virtual_mat import PtyLink, TcpLink, VirtualMat


def _overrides(**values) -> dict:
    return {k: v for k, v in values.items() if v is not None}


@click.command()
@click.argument("preset", type=click.Choice(sorted(PRESETS)))
@click.option("-o", "--output", type=output_file, default=None, help="Recording file to write (.h5).")
@click.option("--duration", "duration_s", type=click.FloatRange(min=0, min_open=True), default=None, help="Length of the session, s. [default: 60]")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same recording.")
@click.option(
    "--belt-speed", "belt_speed_m_s", type=click.FloatRange(min=0, min_open=True), default=None, help="Treadmill belt speed, m/s (treadmill presets)."
)
@click.option("--foot-flat", "foot_flat_ms", type=click.FloatRange(min=0), default=None, help="Loading-to-propulsion lag (heel off minus foot flat), ms.")
@click.option("--rows", type=click.IntRange(min=8), default=None, help="Grid rows (across the walking direction).")
@click.option("--cols", type=click.IntRange(min=8), default=None, help="Grid columns (along the walking direction).")
@click.option("--pitch", "pitch_mm", type=click.FloatRange(min=1), default=None, help="Cell pitch, mm.")
@click.option("--rate", "rate_hz", type=click.FloatRange(min=10), default=None, help="Frame rate, Hz.")
@click.option(
    "--foot-model",
    type=click.Choice(FOOT_MODELS),
    default=None,
    help="The simulated foot: anatomical blobs or plantar pads (docs/simulator.md). [default: blobs]",
)
@click.option(
    "--sensor",
    type=click.Choice(list(SENSOR_LEVELS)),
    default="clean",
    show_default=True,
    help="Sensor level: the preset's own (clean), a Velostat mat (10-bit, noise, dead cells, crosstalk) or one too noisy (bad).",
)
@click.option("--serve", is_flag=True, help="Act as a live mat on a pseudo-terminal instead of writing a file.")
@click.option(
    "--tcp",
    "tcp_port",
    type=click.IntRange(min=0, max=65535),
    default=None,
    help="With --serve: a Wi-Fi serial bridge on 127.0.0.1:PORT instead of a pseudo-terminal.",
)
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="pmat", show_default=True, help="With --serve: wire protocol to speak.")
@click.option("--drop-every", type=click.IntRange(min=2), default=None, help="With --serve: skip every N-th frame, to test drop detection.")
@force_option
def simulate(preset, output, duration_s, seed, sensor, serve, tcp_port, protocol, drop_every, force, **overrides) -> None:
    """Simulate a session of PRESET with exact ground truth, into a file or as a live mat.

    The file holds the truth (events, CoP path in foot coordinates, ...) under /truth; see
    docs/simulator.md. With --serve it prints a port that `mat record` can record.

    Example: mat simulate shuffling-runner -o runner.h5 --duration 30 --seed 7

    Example: mat simulate trained-runner --serve --protocol trailer

    Example: mat simulate walker -o noisy.h5 --foot-model plantar --sensor velostat
    """
    if serve == (output is not None):
        raise click.UsageError("give either -o FILE.h5 or --serve")
    if output is not None:
        check_writable(output, force=force)
    settings = {**SENSOR_LEVELS[sensor], **_overrides(**overrides)}  # an explicit option wins over the sensor level
    if serve and get_codec(protocol, rows=1, cols=1).max_value < 4095:
        if SENSOR_LEVELS[sensor]:
            raise click.UsageError(f"--sensor {sensor} is a 10-bit mat; the {protocol} protocol carries 8 bits (use --sensor clean or another protocol)")
        # an 8-bit mat: an 8-bit ADC with a coarser gain keeps the pressure range
        settings.setdefault("adc_bits", 8)
        settings.setdefault("gain_kpa", PRESETS[preset].gain_kpa * 16)
    sim = run_simulation(preset, seed=seed, duration_s=duration_s or 60.0, **settings)
    if output is not None:
        save_recording(sim.recording(), output, force=force)
        click.echo(
            f"{output}: {preset} ({sim.config.foot_model} foot, {sensor} sensor), {sim.n_frames} frames at {sim.rate_hz:g} Hz, {len(sim.truth['step_side'])} steps (truth in /truth)"
        )
        return
    _serve(sim, protocol, tcp_port, drop_every)


def _serve(sim, protocol: str, tcp_port: int | None, drop_every: int | None) -> None:
    g = sim.geometry
    mat = VirtualMat(sim.recording(), protocol, drop_every=drop_every)
    link = TcpLink(tcp_port) if tcp_port is not None else PtyLink()
    click.echo(f"virtual mat on {link.path} ({protocol}, {g.rows}x{g.cols}, {sim.rate_hz:g} Hz); Ctrl-C stops")
    click.echo(
        f"record it with: mat record --port {link.path} --protocol {protocol} --rows {g.rows} "
        f"--cols {g.cols} --pitch {g.pitch_row_mm:g} --rate {sim.rate_hz:g} -o live.h5"
    )
    try:
        if isinstance(link, TcpLink):
            while link.accept(mat.stop):
                mat.serve(link)
                link.drop_connection()
        else:
            mat.serve(link)
    except KeyboardInterrupt:
        pass
    finally:
        link.close()


COMMANDS = (simulate,)
