"""Device profiles: which protocol, grid and port settings a mat uses.

A profile is a small TOML file; pressure-mat ships one per supported mat in
``mat_driver/profiles/`` and users can write their own (see ``docs/devices.md``).
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mat_driver.errors import DeviceProfileError, RecordingError
from mat_driver.model import Geometry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["DeviceProfile", "builtin_profiles", "load_profile"]

_REQUIRED = ("protocol", "rows", "cols", "pitch_row_mm", "pitch_col_mm", "rate_hz")


@dataclass(frozen=True)
class DeviceProfile:
    """How to talk to one kind of mat.

    Parameters
    ----------
    name
        Profile name (file stem).
    protocol
        Codec name, one of ``mat_driver.protocols.PROTOCOLS``.
    rows, cols, pitch_row_mm, pitch_col_mm, walk_axis
        Grid geometry, see :class:`mat_driver.model.Geometry`.
    rate_hz
        Nominal frame rate, Hz (for polled mats: the polling rate).
    baud
        Serial baud rate (ignored by USB CDC devices and URLs).
    adc_bits
        ADC depth; the largest count means a saturated cell.
    protocol_params
        Extra keyword arguments for the codec (e.g. ``framing = "secure"``).
    usb_ids
        ``VVVV:PPPP`` USB ids by which ``mat devices`` recognises the mat.
    gain_kpa, exponent
        Default calibration when known (``None``: uncalibrated until ``mat calibrate``).
    description
        One line for ``mat devices``.
    """

    name: str
    protocol: str
    rows: int
    cols: int
    pitch_row_mm: float
    pitch_col_mm: float
    rate_hz: float
    walk_axis: str = "cols"
    baud: int = 115200
    adc_bits: int = 12
    protocol_params: dict[str, Any] = field(default_factory=dict)
    usb_ids: tuple[str, ...] = ()
    gain_kpa: float | None = None
    exponent: float = 1.0
    description: str = ""

    @property
    def geometry(self) -> Geometry:
        """The profile's grid."""
        return Geometry(self.rows, self.cols, self.pitch_row_mm, self.pitch_col_mm, self.walk_axis)  # type: ignore[arg-type]

    def replace(self, **changes: Any) -> "DeviceProfile":
        """A copy with the given fields changed (``None`` values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _from_toml(name: str, text: str, origin: str) -> DeviceProfile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeviceProfileError(f"{origin}: not valid TOML ({exc})") from None
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise DeviceProfileError(f"{origin}: missing {', '.join(missing)}")
    known = {f.name for f in dataclasses.fields(DeviceProfile)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DeviceProfileError(f"{origin}: unknown field {', '.join(unknown)}")
    data["usb_ids"] = tuple(str(u).upper() for u in data.get("usb_ids", ()))
    try:
        profile = DeviceProfile(name=name, **data)
        _ = profile.geometry  # the property validates grid and pitch
    except (TypeError, ValueError, RecordingError) as exc:
        raise DeviceProfileError(f"{origin}: {exc}") from None
    return profile


def builtin_profiles() -> dict[str, DeviceProfile]:
    """The profiles shipped with pressure-mat, by name."""
    folder = resources.files("mat_driver") / "profiles"
    profiles = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            name = entry.name[: -len(".toml")]
            profiles[name] = _from_toml(name, entry.read_text(encoding="utf-8"), f"built-in profile {name}")
    return profiles


def load_profile(name_or_path: str) -> DeviceProfile:
    """A built-in profile by name, or a profile from a TOML file.

    Raises
    ------
    DeviceProfileError
        If neither exists or the file is malformed.
    """
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise DeviceProfileError(f"{path}: no such device profile file")
        return _from_toml(path.stem, path.read_text(encoding="utf-8"), str(path))
    profiles = builtin_profiles()
    if name_or_path not in profiles:
        raise DeviceProfileError(f"unknown device {name_or_path!r}; built-in profiles: {', '.join(profiles)} (or give a .toml file)")
    return profiles[name_or_path]
