#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tests/check-palette.py SOURCE_ROOT
#
# The palette is defined once, in ui/style.css and its dark and
# high-contrast variants (@define-color il_*). This checks, in each of the
# four styles:
#   - every sheet defines every name (AdwApplication enables the variant
#     sheets beside style.css in an order that is not fixed, so a sheet that
#     left a name out would show another style's colour);
#   - block types and task states stay apart for a deuteranope: each pair,
#     passed through Machado, Oliveira & Fernandes (2009)'s deuteranopia
#     matrix (severity 1), is at least MIN_DE apart in CIEDE2000, and so is
#     each pair for normal vision;
#   - each of them stands off the chart background (MIN_DE_BG, both visions)
#     and off libadwaita's accent colour, which the charts use for this
#     machine's measurements (MIN_DE, both visions);
#   - core lines, the recorded series and the failed outline reuse no block
#     or state colour (MIN_DE apart, normal vision), nor each other's; the
#     recorded series stays apart from this machine's (the accent colour)
#     for a deuteranope too;
#   - high contrast moves every block and state colour further from the
#     background than the ordinary style does, or leaves it where it was;
# and, over src/gui and src/core, that no C file carries a colour of its
# own: no hex colour literal, no gdk_rgba_parse, no cairo_set_source_rgb
# with numbers. It prints the closest pairs it found (the figures quoted in
# docs/).

import math
import os
import re
import sys

MIN_DE = 10.0
MIN_DE_BG = 20.0

BLOCKS = ["cpu", "sleep", "http", "file_write", "file_read", "counter", "yield"]
STATES = ["ready", "blocked", "gil_wait", "lock_wait", "gil_held"]
NAMES = ["il_block_" + b for b in BLOCKS] + ["il_state_" + s for s in STATES] + \
    ["il_failed", "il_recorded"] + ["il_core_%d" % i for i in range(1, 9)]

# libadwaita 1.2's view background and accent colour per style (the charts
# draw on view_bg_color; the comparison chart's own bars use accent_color).
STYLES = {
    "light": ("style.css", [], "#ffffff", "#1c71d8"),
    "dark": ("style-dark.css", [], "#1e1e1e", "#78aeed"),
    "hc": ("style-hc.css", [], "#ffffff", "#1c71d8"),
    "hc-dark": ("style-hc-dark.css", [], "#1e1e1e", "#78aeed"),
}

# ---- colour science ------------------------------------------------------

MACHADO_DEUTERANOPIA = (
    (0.367322, 0.860646, -0.227968),
    (0.280085, 0.672501, 0.047413),
    (-0.011820, 0.042940, 0.968881),
)


def to_linear(c):
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def from_linear(c):
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def parse_hex(h):
    h = h.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def deuteranopia(rgb):
    lin = [to_linear(c) for c in rgb]
    return tuple(from_linear(sum(m * c for m, c in zip(row, lin))) for row in MACHADO_DEUTERANOPIA)


def lab(rgb):
    r, g, b = (to_linear(c) for c in rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def ciede2000(lab1, lab2):
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    cbar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(cbar ** 7 / (cbar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    else:
        dh = h2p - h1p
        if dh > 180:
            dh -= 360
        elif dh < -180:
            dh += 360
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lbar, cbarp = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hbar = (h1p + h2p + 360) / 2
    else:
        hbar = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hbar - 30)) + 0.24 * math.cos(math.radians(2 * hbar))
         + 0.32 * math.cos(math.radians(3 * hbar + 6)) - 0.20 * math.cos(math.radians(4 * hbar - 63)))
    dtheta = 30 * math.exp(-(((hbar - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cbarp ** 7 / (cbarp ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (lbar - 50) ** 2 / math.sqrt(20 + (lbar - 50) ** 2)
    sc = 1 + 0.045 * cbarp
    sh = 1 + 0.015 * cbarp * t
    rt = -math.sin(math.radians(2 * dtheta)) * rc
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dH / sh) ** 2 + rt * (dc / sc) * (dH / sh))


def self_test():
    # Sharma, Wu & Dalal (2005), pairs 1 and 7 of their test data.
    assert abs(ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) - 2.0425) < 1e-4
    assert abs(ciede2000((50, 0, 0), (50, -1, 2)) - 2.3669) < 1e-4
    # The simulation keeps greys grey and folds red onto green's axis.
    g = deuteranopia((0.5, 0.5, 0.5))
    assert all(abs(c - 0.5) < 0.01 for c in g), g


# ---- stylesheets ---------------------------------------------------------

DEFINE = re.compile(r"@define-color\s+(il_[a-z0-9_]+)\s+(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\s*;")


def read_sheet(path):
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    colours = {}
    for m in DEFINE.finditer(text):
        if m.group(1) in colours:
            raise SystemExit("%s defines %s twice" % (path, m.group(1)))
        colours[m.group(1)] = parse_hex(m.group(2))
    # Anything else naming an il_ colour is a definition this test cannot read.
    for m in re.finditer(r"@define-color\s+(il_[a-z0-9_]+)", text):
        if m.group(1) not in colours:
            raise SystemExit("%s: %s is not a plain #rrggbb colour" % (path, m.group(1)))
    return colours


def check_style(name, colours, bg_hex, accent_hex, failures, figures):
    bg = parse_hex(bg_hex)
    accent = parse_hex(accent_hex)
    apart = ["il_block_" + b for b in BLOCKS] + ["il_state_" + s for s in STATES]
    others = ["il_failed", "il_recorded"] + ["il_core_%d" % i for i in range(1, 9)]
    normal = {k: lab(v) for k, v in colours.items()}
    deutan = {k: lab(deuteranopia(v)) for k, v in colours.items()}
    bg_n, bg_d = lab(bg), lab(deuteranopia(bg))

    def need(value, minimum, what):
        if value < minimum:
            failures.append("%s: %s: ΔE2000 %.1f < %.0f" % (name, what, value, minimum))

    worst_d = (1e9, "")
    worst_n = (1e9, "")
    for i, a in enumerate(apart):
        for b in apart[i + 1:]:
            d = ciede2000(deutan[a], deutan[b])
            n = ciede2000(normal[a], normal[b])
            worst_d = min(worst_d, (d, a + " / " + b))
            worst_n = min(worst_n, (n, a + " / " + b))
            need(d, MIN_DE, "%s and %s for a deuteranope" % (a, b))
            need(n, MIN_DE, "%s and %s" % (a, b))
        need(ciede2000(deutan[a], lab(deuteranopia(accent))), MIN_DE, "%s and the accent colour for a deuteranope" % a)
        need(ciede2000(normal[a], lab(accent)), MIN_DE, "%s and the accent colour" % a)
        need(ciede2000(deutan[a], bg_d), MIN_DE_BG, "%s on the background for a deuteranope" % a)
        need(ciede2000(normal[a], bg_n), MIN_DE_BG, "%s on the background" % a)
    worst_o = (1e9, "")
    for i, a in enumerate(others):
        for b in apart + others[i + 1:]:
            n = ciede2000(normal[a], normal[b])
            worst_o = min(worst_o, (n, a + " / " + b))
            need(n, MIN_DE, "%s and %s" % (a, b))
        need(ciede2000(normal[a], bg_n), MIN_DE_BG, "%s on the background" % a)
    need(ciede2000(deutan["il_recorded"], lab(deuteranopia(accent))), MIN_DE,
         "il_recorded and the accent colour for a deuteranope")
    figures.append("%-7s blocks+states: closest for a deuteranope %.1f (%s), normal vision %.1f (%s); "
                   "core/recorded/failed vs the rest: %.1f (%s)"
                   % (name, worst_d[0], worst_d[1], worst_n[0], worst_n[1], worst_o[0], worst_o[1]))


# ---- no colour in C ------------------------------------------------------

C_COLOUR = [
    (re.compile(r'"#[0-9a-fA-F]{3,8}"'), "a hex colour string"),
    (re.compile(r"\bgdk_rgba_parse\s*\("), "gdk_rgba_parse"),
    (re.compile(r"\bcairo_set_source_rgba?\s*\(\s*\w+\s*,\s*[0-9.]"), "cairo_set_source_rgb with numbers"),
    (re.compile(r"\brgba?\s*\(\s*&[^,]+,\s*0x[0-9a-fA-F]{6}\s*\)"), "a colour from a hex number"),
    (re.compile(r"\bguint32\s+\w*(?:colou?r|light|dark|block|series)\w*\s*\[[^]]*\]\s*=\s*\{\s*0x[0-9a-fA-F]{6}"),
     "a table of hex colours"),
]


def check_sources(root, failures):
    for sub in ("src/gui", "src/core"):
        for dirpath, _, files in os.walk(os.path.join(root, sub)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                with open(path, encoding="utf-8") as fh:
                    for lineno, line in enumerate(fh, 1):
                        for pattern, what in C_COLOUR:
                            if pattern.search(line):
                                failures.append("%s:%d: %s (colours come from the palette in ui/style.css)"
                                                % (os.path.relpath(path, root), lineno, what))


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: check-palette.py SOURCE_ROOT")
    root = sys.argv[1]
    self_test()
    failures = []
    figures = []
    sheets = {}
    for name, (sheet, _, _, _) in STYLES.items():
        sheets[name] = read_sheet(os.path.join(root, "ui", sheet))
        missing = [n for n in NAMES if n not in sheets[name]]
        extra = [n for n in sheets[name] if n not in NAMES]
        if missing:
            failures.append("%s misses %s" % (sheet, ", ".join(missing)))
        if extra:
            failures.append("%s defines %s, which this test does not check: add it to NAMES"
                            % (sheet, ", ".join(extra)))
    if not failures:
        for name, (sheet, _, bg, accent) in STYLES.items():
            check_style(name, sheets[name], bg, accent, failures, figures)
        for plain, hc in (("light", "hc"), ("dark", "hc-dark")):
            bg = lab(parse_hex(STYLES[plain][2]))
            for n in NAMES[:len(BLOCKS) + len(STATES)]:
                before = ciede2000(lab(sheets[plain][n]), bg)
                after = ciede2000(lab(sheets[hc][n]), bg)
                if after < before - 0.05:
                    failures.append("%s: %s is closer to the background (%.1f) than in %s (%.1f)"
                                    % (hc, n, after, plain, before))
    check_sources(root, failures)
    for line in figures:
        print("# " + line)
    if failures:
        for f in failures:
            print("FAIL " + f)
        return 1
    print("ok: %d colours in %d styles" % (len(NAMES), len(STYLES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
