"""Device profiles and port opening."""

from __future__ import annotations

import pytest

from mat_driver.devices import builtin_profiles, load_profile
from mat_driver.errors import DeviceProfileError, PortError
from mat_driver.protocols import PROTOCOLS
from mat_driver.transport import open_port


def test_builtin_profiles_cover_every_protocol() -> None:
    profiles = builtin_profiles()
    assert {p.protocol for p in profiles.values()} == set(PROTOCOLS)
    velostat = profiles["velostat-rp2040"]
    assert (velostat.protocol, velostat.rows, velostat.cols) == ("trailer", 28, 56)
    assert profiles["matsense-32"].protocol_params == {"framing": "secure"}


def test_profile_from_file_and_overrides(tmp_path) -> None:
    path = tmp_path / "my-mat.toml"
    path.write_text('protocol = "csv"\nrows = 8\ncols = 12\npitch_row_mm = 15.0\npitch_col_mm = 15.0\nrate_hz = 25.0\nusb_ids = ["2341:0043"]\n')
    profile = load_profile(str(path))
    assert profile.name == "my-mat" and profile.geometry.shape == (8, 12)
    assert profile.replace(rows=4, cols=None).rows == 4


@pytest.mark.parametrize(
    "text, message",
    [
        ("rows = 8", "missing protocol"),
        ('protocol = "csv"\nrows = 8\ncols = 8\npitch_row_mm = 1.0\npitch_col_mm = 1.0\nrate_hz = 1.0\ncolour = 3', "unknown field colour"),
        ("rows = [", "not valid TOML"),
        ('protocol = "csv"\nrows = 0\ncols = 8\npitch_row_mm = 1.0\npitch_col_mm = 1.0\nrate_hz = 1.0', "grid size"),
    ],
)
def test_bad_profiles_are_named(tmp_path, text, message) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(DeviceProfileError, match=message) as info:
        load_profile(str(path))
    assert "bad.toml" in str(info.value)


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(DeviceProfileError, match="velostat-rp2040"):
        load_profile("no-such-mat")


@pytest.mark.parametrize(
    "port, message",
    [("/dev/ttyDOES-NOT-EXIST", "no such serial port; run `mat devices`"), ("bogus://x", "not a usable port")],
)
def test_port_errors_say_what_to_do(port, message) -> None:
    with pytest.raises(PortError, match=message) as info:
        open_port(port)
    assert str(info.value).startswith(port)


def test_urls_open_through_pyserial() -> None:
    port = open_port("loop://")
    port.write(b"PMAT")
    assert port.read(4) == b"PMAT"
    port.close()
