"""One look for every figure: side colours, line styles and sizes.

Left and right keep the same colour and line style everywhere. The colours are from the
Okabe-Ito colour-blind-safe palette and differ in lightness, and the line styles differ
too, so the figures stay readable when printed in grey.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SideStyle", "SIDE_STYLES", "side_style", "A4_PORTRAIT_IN", "PHASE_COLOURS", "SESSION_COLOURS"]


@dataclass(frozen=True)
class SideStyle:
    """How one side is drawn."""

    label: str
    colour: str
    linestyle: str
    marker: str
    hatch: str


#: Index 0 = left, 1 = right (the sides' codes in gait_metrics).
SIDE_STYLES = (
    SideStyle("left", "#0072B2", "-", "o", "//"),  # blue, dark in grey
    SideStyle("right", "#E69F00", "--", "s", "\\\\"),  # orange, light in grey
)

#: Shading of the loading, transition and propulsion phases of stance.
PHASE_COLOURS = {"loading": "#DDDDDD", "transition": "#999999", "propulsion": "#F0F0F0"}

#: Sessions in a comparison (first, second, ...): black, vermillion, sky blue, green.
SESSION_COLOURS = ("#000000", "#D55E00", "#56B4E9", "#009E73")

#: A4 portrait page in inches.
A4_PORTRAIT_IN = (8.27, 11.69)


def side_style(side: int) -> SideStyle:
    """Style of side 0 (left) or 1 (right)."""
    return SIDE_STYLES[int(side)]
