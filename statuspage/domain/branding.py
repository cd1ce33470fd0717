"""Brand rules (pure, no Flask): accent contrast and what an uploaded image may be.

The accent colour marks interface parts (the header stripe, the brand mark,
the embed's edge), so it must reach the WCAG AA contrast for non-text
interface components, 3:1, against the page's light and its dark backgrounds;
body text keeps the theme's own colours.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

AA_UI_CONTRAST = 3.0
# The page's backgrounds (tokens.css: --bg and --surface of each theme).
LIGHT_BACKGROUNDS = ("#f6f7f9", "#ffffff")
DARK_BACKGROUNDS = ("#0d1117", "#161b22")
HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

LOGO_MAX_BYTES = 48 * 1024
FAVICON_MAX_BYTES = 16 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ICO_MAGIC = b"\x00\x00\x01\x00"
SVG_NS = "http://www.w3.org/2000/svg"

# Drawing elements only: no script, foreignObject, use, image, animation or style sheets.
_SVG_ELEMENTS = frozenset({
    "svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon", "text", "tspan",
    "defs", "linearGradient", "radialGradient", "stop", "title", "desc", "clipPath", "mask",
})
_SVG_ATTRIBUTES = frozenset({
    "viewBox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry",
    "d", "points", "fill", "fill-opacity", "fill-rule", "clip-rule", "stroke", "stroke-width",
    "stroke-linecap", "stroke-linejoin", "stroke-opacity", "stroke-dasharray", "opacity",
    "transform", "id", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform",
    "clip-path", "mask", "font-family", "font-size", "font-weight", "text-anchor", "preserveAspectRatio",
    "version", "role", "aria-label", "aria-hidden", "focusable",
})


class ImageRefused(ValueError):
    """An uploaded image the page will not serve (the message says why)."""


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def accent_problem(colour: str) -> str | None:
    """Why ``colour`` cannot be the accent, or None when it reaches 3:1 on every background."""
    if not HEX_RE.match(colour):
        return "Use a colour like #0f766e."
    for theme, backgrounds in (("light", LIGHT_BACKGROUNDS), ("dark", DARK_BACKGROUNDS)):
        worst = min(contrast(colour, bg) for bg in backgrounds)
        if worst < AA_UI_CONTRAST:
            return (f"{colour} has a contrast of {worst:.2f}:1 against the {theme} background; "
                    f"WCAG AA needs {AA_UI_CONTRAST:g}:1. Pick a mid-tone colour.")
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sanitise_svg(data: bytes) -> bytes:
    """The SVG with every element and attribute outside the drawing allow-list removed
    (scripts, event handlers, links, external references, styles)."""
    text = data.decode("utf-8", errors="strict") if isinstance(data, bytes) else data
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise ImageRefused("SVG files with a DOCTYPE or entities are not accepted.")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ImageRefused("The SVG could not be read.") from exc
    if _local(root.tag) != "svg":
        raise ImageRefused("The file is not an SVG image.")

    def clean(element) -> None:
        for child in list(element):
            if not isinstance(child.tag, str) or _local(child.tag) not in _SVG_ELEMENTS:
                element.remove(child)
            else:
                clean(child)
        for name in list(element.attrib):
            value = element.attrib[name].replace(" ", "").lower()
            external = "url(" in value and not value.startswith("url(#")  # only same-document references
            if "}" in name or name not in _SVG_ATTRIBUTES or external:
                del element.attrib[name]

    clean(root)
    ET.register_namespace("", SVG_NS)
    return ET.tostring(root, encoding="utf-8")


def checked_image(data: bytes, content_type: str, max_bytes: int, allow_ico: bool = False) -> tuple[bytes, str]:
    """``(bytes, content type)`` to store for an upload: a PNG as it is, an SVG sanitised."""
    if len(data) > max_bytes:
        raise ImageRefused(f"The image is {len(data)} bytes; the limit is {max_bytes} bytes.")
    if data.startswith(PNG_MAGIC):
        return data, "image/png"
    if allow_ico and data.startswith(ICO_MAGIC):
        return data, "image/x-icon"
    head = data[:512].lstrip().lower()
    if content_type == "image/svg+xml" or head.startswith(b"<svg") or head.startswith(b"<?xml"):
        try:
            return sanitise_svg(data), "image/svg+xml"
        except UnicodeDecodeError as exc:
            raise ImageRefused("The SVG is not UTF-8 text.") from exc
    raise ImageRefused("Upload a PNG or an SVG image" + (" (or an ICO icon)." if allow_ico else "."))
