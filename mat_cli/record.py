"""``mat record``, ``mat devices`` and ``mat calibrate``: the live mat."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Callable

import click

from live_view import LiveSession
from mat_cli.live import live_view_for_recording, server_options, start_view
from mat_cli.options import (
    existing_file,
    force_option,
    metadata_from_options,
    output_file,
    session_options,
)
from mat_driver.calibration import calibrate_standing, estimate_crosstalk, load_calibration, save_calibration
from mat_driver.devices import DeviceProfile, builtin_profiles, load_profile
from mat_driver.model import Calibration
from mat_driver.protocols import PROTOCOLS
from mat_driver.recorder import Recorder, RecorderStatus, RecordingOptions
from mat_driver.recording import open_recording
from mat_driver.transport import list_serial_ports


def _profile(device: str | None, protocol: str | None, **overrides) -> DeviceProfile:
    if device is None and protocol is None:
        raise click.UsageError("give --device NAME|FILE (see `mat devices`) or --protocol with --rows and --cols")
    if device is not None:
        return load_profile(device).replace(protocol=protocol, **overrides)
    if overrides.get("rows") is None or overrides.get("cols") is None:
        raise click.UsageError("--protocol needs --rows and --cols (or use --device)")
    assert protocol is not None  # no device, so the protocol was given
    base = DeviceProfile(name=protocol, protocol=protocol, rows=1, cols=1, pitch_row_mm=10.0, pitch_col_mm=10.0, rate_hz=100.0)
    return base.replace(**overrides)


def _status_line(status: RecorderStatus) -> None:
    line = (
        f"\r{status.state}: {status.elapsed_s:7.1f} s  {status.frames:7d} frames  "
        f"{status.rate_hz:6.1f} Hz  dropped {status.dropped}  rejected {status.rejected}  "
        f"load {status.load:10.0f}"
    )
    click.echo(line, nl=False, err=True)


@click.command()
@click.option("--port", required=True, help="Serial port or pyserial URL (socket://host:port, rfc2217://, spy://PORT).")
@click.option("--device", default=None, help="Built-in profile name or a profile .toml file (see `mat devices`).")
@click.option("--protocol", type=click.Choice(PROTOCOLS), default=None, help="Wire protocol (overrides the profile).")
@click.option("--rows", type=click.IntRange(min=1), default=None, help="Grid rows (overrides the profile).")
@click.option("--cols", type=click.IntRange(min=1), default=None, help="Grid columns (overrides the profile).")
@click.option("--pitch", "pitch_mm", type=click.FloatRange(min=0, min_open=True), default=None, help="Cell pitch, mm (both axes).")
@click.option("--rate", "rate_hz", type=click.FloatRange(min=0, min_open=True), default=None, help="Nominal frame rate, Hz.")
@click.option("--baud", type=click.IntRange(min=1), default=None, help="Baud rate.")
@click.option("-o", "--output", type=output_file, required=True, help="Recording file to create (.h5).")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), default=None, help="Stop after this many s (default: Ctrl-C).")
@click.option(
    "--tare", type=click.FloatRange(min=0, min_open=True), default=None, help="Keep the mat empty this many s at the start; their mean is the per-cell zero."
)
@click.option("--calibration", type=existing_file, default=None, help="Calibration file from `mat calibrate` (default: raw units).")
@click.option(
    "--reconnect", type=click.FloatRange(min=0, min_open=True), default=None, help="If the cable is pulled, wait this many s for the port to come back."
)
@click.option("--live", is_flag=True, help="Serve the live page: pressure, CoP, force, status and every step's transition time.")
@server_options
@click.option("--lsl", is_flag=True, help='Publish frames and step events ("L IC", "R TO", ...) as Lab Streaming Layer outlets (needs the lsl extra).')
@session_options
@force_option
def record(
    port,
    device,
    protocol,
    rows,
    cols,
    pitch_mm,
    rate_hz,
    baud,
    output,
    duration,
    tare,
    calibration,
    reconnect,
    live,
    live_host,
    live_port,
    no_browser,
    target_ms,
    lsl,
    force,
    **session,
) -> None:
    """Record a live mat into an HDF5 recording, until --duration or Ctrl-C.

    A status line shows elapsed time, frames, frame rate, dropped and rejected frames and
    the load on the mat. The file is safe at every moment: a crash loses at most the last
    second (see `mat repair`).

    With --live, a web page (http://127.0.0.1:8765 by default) shows the mat and a row per
    step as it completes; the file never waits for it. See docs/live.md.

    Example: mat record --port /dev/ttyACM0 --device pmat-64 -o before.h5 --subject S01
    --condition before --belt-speed 2.8 --duration 120 --tare 3 --live --target-transition 40:80
    """
    profile = _profile(device, protocol, rows=rows, cols=cols, pitch_row_mm=pitch_mm, pitch_col_mm=pitch_mm, rate_hz=rate_hz, baud=baud)
    metadata = metadata_from_options(**session)
    cal = load_calibration(calibration) if calibration else _profile_calibration(profile)
    recorder = Recorder(
        port,
        profile,
        str(output),
        metadata=metadata,
        calibration=cal,
        options=RecordingOptions(duration_s=duration, tare_s=tare, reconnect_s=reconnect, force=force),
    )
    on_status: Callable[[RecorderStatus], None] | None = _status_line if sys.stderr.isatty() else None
    with contextlib.ExitStack() as stack:
        if live or lsl:
            live_session = LiveSession(profile.geometry, profile.rate_hz, cal, metadata, title=output.name, target_ms=target_ms)
            view = stack.enter_context(
                live_view_for_recording(live_session, serve=live, live_host=live_host, live_port=live_port, lsl=lsl, lsl_name=output.stem)
            )
            if live:
                start_view(view, no_browser)
            recorder.consumers.append(view.feed)
            recorder.on_tare = view.feed.set_tare
            on_status = _both(on_status, lambda status: view.feed.status(**vars(status)))
        click.echo(f"recording {port} ({profile.name}, {profile.protocol}) into {output}; Ctrl-C stops", err=True)
        summary = recorder.run(on_status=on_status)
        if live or lsl:
            view.feed.status(
                elapsed_s=summary.duration_s,
                frames=summary.frames,
                rate_hz=summary.stats.get("rate_estimated_hz", 0.0),
                dropped=summary.dropped,
                rejected=summary.rejected,
                state=f"finished: {summary.reason}",
            )
    click.echo("", err=True)
    click.echo(f"{summary.path}: {summary.frames} frames, {summary.duration_s:.1f} s, {summary.dropped} dropped, {summary.rejected} rejected; {summary.reason}")
    if summary.reason.startswith("no frames"):
        raise click.ClickException(f"{port}: {summary.reason}; check --protocol/--device, --baud and that the mat is on and streaming")
    if summary.reason.startswith("port lost"):
        raise click.ClickException(f"{port}: {summary.reason}; everything up to then is saved in {summary.path}")


def _both(first: Callable[[RecorderStatus], None] | None, second: Callable[[RecorderStatus], None]) -> Callable[[RecorderStatus], None]:
    """A status callback calling ``first`` (if any), then ``second``."""

    def call(status: RecorderStatus) -> None:
        if first is not None:
            first(status)
        second(status)

    return call


def _profile_calibration(profile: DeviceProfile) -> Calibration:
    if profile.gain_kpa is None:
        return Calibration()
    return Calibration(gain_kpa=profile.gain_kpa, exponent=profile.exponent, calibrated=True, source=f"profile {profile.name}")


@click.command()
def devices() -> None:
    """List serial ports (marking known mats by USB id) and the built-in device profiles.

    Example: mat devices
    """
    profiles = builtin_profiles()
    by_usb = {usb: name for name, p in profiles.items() for usb in p.usb_ids}
    ports = list_serial_ports()
    click.echo("serial ports:" if ports else "serial ports: none found")
    for info in ports:
        known = by_usb.get(info.usb_id)
        mark = f"  <- maybe {known} (--device {known})" if known else ""
        click.echo(f"  {info.device:<20} {info.usb_id or '-':<10} {info.description}{mark}")
    click.echo("built-in device profiles:")
    for name, p in profiles.items():
        click.echo(f"  {name:<18} {p.protocol:<10} {p.rows}x{p.cols}  {p.description}")
    click.echo("any pyserial URL also works as --port: socket://host:port, rfc2217://host:port, loop://")


@click.command()
@click.argument("standing", type=existing_file)
@click.option("--mass", "mass_kg", type=click.FloatRange(min=0, min_open=True), required=True, help="Body mass of the person standing, kg.")
@click.option("-o", "--output", type=output_file, required=True, help="Calibration file to write (.json).")
@click.option("--exponent", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True, help="Sensor power-law exponent (1 = linear).")
@click.option(
    "--crosstalk",
    "point_load",
    type=existing_file,
    default=None,
    help="Recording of a point load (a coin-sized weight on one cell, with --tare): measure the mat's crosstalk and store it.",
)
@force_option
def calibrate(standing: Path, mass_kg: float, output: Path, exponent: float, point_load: Path | None, force: bool) -> None:
    """Make a calibration file from a recording of a person of known mass standing still.

    Record 10-20 s of the person standing on both feet (`mat record --tare 3 ...`, stepping
    on after the tare), then run this. Use the file with `mat record --calibration`.

    With --crosstalk, also record 10 s of a weight smaller than a cell (a coin-sized weight)
    lying on one cell away from the mat's edge (`mat record --tare 3 ...`, putting it down
    after the tare): the share of the cell's signal its 4 neighbours read is stored in the
    file, and the analysis removes it (docs/metrics.md, crosstalk).

    Example: mat calibrate standing.h5 --mass 72.5 -o mat-cal.json --crosstalk coin.h5
    """
    crosstalk = 0.0
    if point_load is not None:
        with open_recording(point_load) as rec:
            crosstalk = estimate_crosstalk(rec)
        click.echo(f"{point_load}: crosstalk {100.0 * crosstalk:.2f} % of a cell's signal in each of its 4 edge neighbours")
    with open_recording(standing) as rec:
        cal = calibrate_standing(rec, mass_kg=mass_kg, exponent=exponent, crosstalk_frac=crosstalk)
    save_calibration(cal, output, force=force)
    click.echo(f"{output}: {cal.gain_kpa:.5g} kPa per count ({cal.source})")


COMMANDS = (record, devices, calibrate)
