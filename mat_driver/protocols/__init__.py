"""Wire protocols of low-cost pressure mats: bytes in, frames out (no I/O).

See docs/protocols.md for every byte layout.
"""

from __future__ import annotations

from typing import Any, Callable

from mat_driver.errors import ProtocolError
from mat_driver.protocols.base import Codec, Command, hexdump
from mat_driver.protocols.csv_text import CsvCodec
from mat_driver.protocols.matsense import make_matsense
from mat_driver.protocols.pmat import PmatCodec, parse_info
from mat_driver.protocols.sensingtex import SensingtexCodec
from mat_driver.protocols.trailer import TrailerCodec
from mat_driver.protocols.zrle import ZrleCodec

__all__ = ["PROTOCOLS", "Codec", "Command", "get_codec", "parse_info", "hexdump"]

_FACTORIES: dict[str, Callable[..., Codec]] = {
    "pmat": PmatCodec,
    "csv": CsvCodec,
    "trailer": TrailerCodec,
    "zrle": ZrleCodec,
    "matsense": make_matsense,
    "sensingtex": SensingtexCodec,
}

#: Names of the supported protocols.
PROTOCOLS = tuple(_FACTORIES)


def get_codec(name: str, **params: Any) -> Codec:
    """A fresh codec for protocol ``name`` (``rows``, ``cols`` and protocol options).

    Raises
    ------
    ProtocolError
        For an unknown protocol or option.
    """
    if name not in _FACTORIES:
        raise ProtocolError(f"unknown protocol {name!r}; known: {', '.join(PROTOCOLS)}")
    try:
        return _FACTORIES[name](**params)
    except TypeError as exc:
        raise ProtocolError(f"protocol {name}: {exc}") from None
