"""Everything that touches a device or a recording file."""

from mat_driver.errors import (
    CalibrationError,
    DeviceProfileError,
    MatError,
    PortError,
    ProtocolError,
    RecordingError,
)
from mat_driver.frame import Frame
from mat_driver.model import FORMAT_VERSION, Calibration, Gaps, Geometry, Metadata, Recording

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "FORMAT_VERSION",
    "Calibration",
    "CalibrationError",
    "DeviceProfileError",
    "Frame",
    "Gaps",
    "Geometry",
    "MatError",
    "Metadata",
    "PortError",
    "ProtocolError",
    "Recording",
    "RecordingError",
]
