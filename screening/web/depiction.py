"""Structure drawings for the pages: RDKit's SVG, rebuilt from an allow-list so it can be inlined safely.

``chem_db.depict_svg`` already returns SVG without scripts; it is still parsed and
rebuilt here from a fixed set of drawing elements and attributes, because it is
inlined into pages (a future drawing option, or a bug, must not become markup).
The rebuild also turns RDKit's ``style="..."`` attributes into presentation
attributes: the Content-Security-Policy (``style-src 'self'``) refuses inline
style attributes, and the drawing would otherwise lose its colours.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
_ELEMENTS = {
    "svg",
    "g",
    "path",
    "rect",
    "ellipse",
    "circle",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "title",
}
_ATTRIBUTES = {
    "width", "height", "viewBox", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d",
    "points", "transform", "class", "fill", "fill-rule", "fill-opacity", "stroke", "stroke-width",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-dasharray",
    "opacity", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
    "dominant-baseline",
}  # fmt: skip
# Values of presentation properties: colours, numbers, lengths, keywords. Never url(...) or expressions.
_SAFE_VALUE = re.compile(r"^[#\w\s.,%+\-]*$")
_MAX_SVG = 2_000_000


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def _style_properties(style: str) -> Iterable[tuple[str, str]]:
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name and value:
            yield name, value


def _clean(element: ET.Element) -> ET.Element | None:
    tag = _local(element.tag)
    if element.tag.startswith("{") and not element.tag.startswith("{" + SVG_NS + "}"):
        return None  # RDKit's own metadata (rdkit:mol) and anything foreign
    if tag not in _ELEMENTS:
        return None
    clean = ET.Element(f"{{{SVG_NS}}}{tag}")
    attributes: dict[str, str] = {}
    for name, value in element.attrib.items():
        if name.startswith("{"):
            continue  # xml:space, xlink:href and other namespaced attributes
        if name == "style":
            for prop, prop_value in _style_properties(value):
                if prop in _ATTRIBUTES and _SAFE_VALUE.match(prop_value):
                    attributes.setdefault(prop, prop_value)
            continue
        if name in _ATTRIBUTES and (
            name in ("d", "points", "transform", "viewBox") or _SAFE_VALUE.match(value)
        ):
            if name == "transform" and not re.match(r"^[\w\s.,()+\-]*$", value):
                continue
            attributes[name] = value
    for name, value in attributes.items():
        clean.set(name, value)
    clean.text = element.text if tag in ("text", "tspan", "title") else None
    for child in element:
        cleaned = _clean(child)
        if cleaned is not None:
            clean.append(cleaned)
        if cleaned is not None and tag in ("text", "tspan"):
            cleaned.tail = child.tail
    return clean


def sanitize_svg(svg: str, label: str | None = None) -> str:
    """``svg`` rebuilt from allowed drawing elements and attributes (styles become attributes).

    >>> sanitize_svg('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>x</script>'
    ...              '<path d="M0,0 L5,5" style="stroke:#000;onload:x" onclick="x"/></svg>', "ethanol")
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10" role="img" \
aria-label="ethanol"><title>ethanol</title><path d="M0,0 L5,5" stroke="#000" /></svg>'
    >>> sanitize_svg("<not-svg")
    ''
    """
    if not svg or len(svg) > _MAX_SVG or "<!DOCTYPE" in svg or "<!ENTITY" in svg:
        return ""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return ""
    if _local(root.tag) != "svg":
        return ""
    clean = _clean(root)
    if clean is None:
        return ""
    if "viewBox" not in clean.attrib:
        width = clean.get("width", "300").removesuffix("px")
        height = clean.get("height", "220").removesuffix("px")
        clean.set("viewBox", f"0 0 {width} {height}")
    clean.set("role", "img")
    if label:
        clean.set("aria-label", label)
        for existing in clean.findall(f"{{{SVG_NS}}}title"):
            clean.remove(existing)
        title = ET.Element(f"{{{SVG_NS}}}title")
        title.text = label
        clean.insert(0, title)
    ET.register_namespace("", SVG_NS)
    return ET.tostring(clean, encoding="unicode", short_empty_elements=True)


def depict(
    smiles: str | None,
    atoms: Sequence[int] = (),
    bonds: Sequence[int] = (),
    *,
    label: str | None = None,
    width: int = 260,
    height: int = 190,
) -> Markup:
    """An inline, sanitised SVG of ``smiles`` with ``atoms``/``bonds`` highlighted (a template global).

    Returns an empty string when there is nothing to draw. Indices are in the SMILES's atom order
    (the order chem_db reports a match's atoms and bonds in, for that component's SMILES).
    """
    if not smiles:
        return Markup("")
    from chem_db import depict_svg

    svg = depict_svg(
        smiles, highlight_atoms=list(atoms), highlight_bonds=list(bonds), width=width, height=height
    )
    return Markup(sanitize_svg(svg, label or smiles))


def highlight_sets(matches: Iterable[dict[str, Any]], component: int) -> tuple[list[int], list[int]]:
    """The union of the atoms and bonds that ``matches`` (stored match dicts) highlight on one component.

    >>> highlight_sets([{"component": 0, "atoms": [1, 2], "bonds": [0]}, {"component": 1, "atoms": [5]}], 0)
    ([1, 2], [0])
    """
    atoms: set[int] = set()
    bonds: set[int] = set()
    for match in matches:
        if int(match.get("component") or 0) != component:
            continue
        atoms.update(int(a) for a in match.get("atoms") or [])
        bonds.update(int(b) for b in match.get("bonds") or [])
    return sorted(atoms), sorted(bonds)
