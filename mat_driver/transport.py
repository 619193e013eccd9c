"""Open a serial port or a pyserial URL, with errors a user can act on.

Any pyserial URL works: a device path (``/dev/ttyUSB0``, ``COM3``), ``loop://``,
``socket://host:port`` (Wi-Fi serial bridges), ``rfc2217://host:port`` and ``spy://PORT``
(hex dump of the traffic, handy for debugging a new mat).
"""

from __future__ import annotations

import errno
import logging
from dataclasses import dataclass

import serial
from serial.tools import list_ports

from mat_driver.errors import PortError

__all__ = ["open_port", "PortInfo", "list_serial_ports"]

log = logging.getLogger(__name__)


def open_port(port: str | serial.SerialBase, *, baud: int = 115200, timeout_s: float = 0.05) -> serial.SerialBase:
    """Open ``port`` (a path or pyserial URL), or pass an already open pyserial object through.

    Raises
    ------
    PortError
        One line naming the port and saying what to do.
    """
    if isinstance(port, serial.SerialBase):
        return port
    try:
        return serial.serial_for_url(port, baudrate=baud, timeout=timeout_s)
    except ValueError as exc:
        raise PortError(f"{port}: not a usable port or URL ({exc})") from None
    except serial.SerialException as exc:
        raise PortError(_explain(port, exc)) from None


def _explain(port: str, exc: serial.SerialException) -> str:
    number = getattr(exc, "errno", None)
    text = str(exc)
    if number == errno.ENOENT or "No such file" in text:
        return f"{port}: no such serial port; run `mat devices` to list the ports"
    if number == errno.EACCES or "Permission denied" in text:
        return f"{port}: permission denied; add your user to the port's group (e.g. `sudo usermod -aG dialout $USER`, then log in again)"
    if number == errno.EBUSY or "busy" in text.lower():
        return f"{port}: port is busy; close the other program using it"
    return f"{port}: cannot open port ({text})"


@dataclass(frozen=True)
class PortInfo:
    """One serial port as the operating system lists it."""

    device: str
    description: str
    vid: int | None
    pid: int | None
    serial_number: str | None

    @property
    def usb_id(self) -> str:
        """``VVVV:PPPP`` in hex, or ``""`` for non-USB ports."""
        if self.vid is None or self.pid is None:
            return ""
        return f"{self.vid:04X}:{self.pid:04X}"


def list_serial_ports() -> list[PortInfo]:
    """The serial ports present, sorted by device name."""
    return [PortInfo(p.device, p.description or "", p.vid, p.pid, p.serial_number) for p in sorted(list_ports.comports(), key=lambda p: p.device)]
