"""One error hierarchy for everything that touches a device or a recording file.

Every message names the file, port or value and says what was expected and what came,
so the command line can print it as a single line.
"""

from __future__ import annotations

__all__ = [
    "MatError",
    "RecordingError",
    "ProtocolError",
    "PortError",
    "DeviceProfileError",
    "CalibrationError",
]


class MatError(Exception):
    """Base class of every error raised by :mod:`mat_driver`."""


class RecordingError(MatError):
    """A recording file is missing, unreadable, not a recording, or cannot be written."""


class ProtocolError(MatError):
    """Bytes from a mat do not form a valid frame (only raised where a codec cannot resync)."""


class PortError(MatError):
    """A serial port or URL cannot be opened, or was lost while reading."""


class DeviceProfileError(MatError):
    """A device profile is unknown or malformed."""


class CalibrationError(MatError):
    """A calibration file or calibration procedure is invalid."""
