"""Depictions are inlined into pages: only drawing elements and safe attributes survive."""

from __future__ import annotations

from screening.web.depiction import depict, sanitize_svg


def test_sanitizer_removes_scripts_handlers_links_and_foreign_content():
    hostile = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10" onload="alert(1)"><script>alert(2)</script>'
        "<foreignObject><div>x</div></foreignObject>"
        '<a xlink:href="javascript:alert(3)"><path d="M0 0"/></a>'
        '<path d="M1 1" fill="url(https://evil.example/x)" style="stroke:#000;background:url(x)"/>'
        '<text x="1" y="2">N<tspan>H</tspan></text></svg>'
    )
    clean = sanitize_svg(hostile)
    for bad in ("script", "onload", "foreignObject", "javascript", "xlink", "url(", "<a", "background"):
        assert bad not in clean, bad
    assert 'stroke="#000"' in clean and "<text" in clean and ">H</tspan>" in clean


def test_refuses_entities_and_non_svg():
    assert sanitize_svg('<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>') == ""
    assert sanitize_svg("<html></html>") == ""
    assert sanitize_svg("") == ""


def test_real_depiction_keeps_its_colours_as_attributes():
    svg = str(depict("CC(=O)Cc1ccccc1", [0, 1, 2], [0, 1], label="P2P"))
    assert svg.startswith("<svg") and 'aria-label="P2P"' in svg and "<title>P2P</title>" in svg
    assert "style=" not in svg
    assert 'fill="#FF8C33"' in svg  # highlighted atoms
    assert str(depict(None)) == ""
    assert "could not be drawn" in str(depict("C1CC"))
