"""Series colours, fill patterns, dashes and markers, and the WCAG contrast ratio."""

from __future__ import annotations

#: Series colours, in the order series get them. Contrast against white (#ffffff),
#: as computed by `contrast()` (WCAG 2.1 relative luminance):
#:   #00427a  brand blue  10.19:1
#:   #b35000  orange       5.17:1
#:   #1e6b35  green        6.54:1
#:   #a8326e  magenta      6.28:1
#:   #6a3fb5  purple       7.02:1
#:   #00707a  teal         5.84:1
#:   #7a4d00  brown        7.27:1
#:   #4a4a4a  grey         8.86:1
#: All are above the 3:1 that WCAG 1.4.11 asks of graphical objects, and since the
#: patterns are white marks on the colour, the marks also have at least 3:1.
PALETTE = ("#00427a", "#b35000", "#1e6b35", "#a8326e", "#6a3fb5", "#00707a", "#7a4d00", "#4a4a4a")
#: Text (17.4:1) and axis/tick text (8.86:1) against white: both above 4.5:1.
TEXT_COLOUR = "#1a1a1a"
MUTED_TEXT_COLOUR = "#4a4a4a"
AXIS_COLOUR = "#1a1a1a"
GRID_COLOUR = "#d0d7de"  # decorative only: the tick labels carry the information
BACKGROUND = "#ffffff"

#: Fill patterns for bars: white marks on the series colour.
PATTERNS = ("solid", "diagonal", "dots", "crosshatch", "horizontal", "reverse-diagonal", "grid", "vertical")
#: Dash patterns (stroke-dasharray) and point markers for lines.
DASHES = ("", "8 4", "2 3", "10 3 2 3", "4 4", "12 3 2 3 2 3", "1 2", "6 2")
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "cross", "plus", "bar")


def _luminance(colour: str) -> float:
    hexa = colour.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(ch * 2 for ch in hexa)
    channels = [int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG 2.1 contrast ratio of two #rrggbb colours (1.0 to 21.0)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
