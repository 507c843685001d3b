"""Small plots drawn as SVG text: axes, curves, markers, arrows, legends and contour lines.

FunctionPlot and NeuronLab draw with this module, not with matplotlib: an SVG is a few kilobytes of text
that the browser draws crisply at any zoom (a projector, Ctrl + 150 %), and the course's browser site
does not have to download a plotting library (matplotlib and Pillow: 8.2 MB) before a student's first plot.

A picture is a list of SVG strings put together by :func:`picture`. A :class:`Panel` is one set of axes:
it maps data coordinates to the picture's pixels and draws the grid, the ticks and the labels, and the
data inside its plotting area (clipped to it). A widget keeps the parts that stay still as one string and
makes only the moving parts again when a slider moves: the analogue of matplotlib's blitting.

Sizes are CSS px at the picture's natural size (its ``width`` attribute: the picture is never shrunk).
"""

import html
import math

import numpy as np

TICK_PX, LABEL_PX, LEGEND_PX = 13, 15, 14  # tick labels; axis labels and titles; legend entries
TEXT_COLOUR, GRID_COLOUR, FRAME_COLOUR = "#222", "#e4e4e4", "#777"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
MINUS = "\u2212"  # the typographic minus sign, as the sliders and readouts show it

# matplotlib's default colours ("tab10"), which students may know from their own plots; its red is left
# out on purpose: red means only a gradient flowing back, in the whole course (DESIGN §5)
BLUE, ORANGE, GREEN, PURPLE, BROWN = "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"
PINK, GREY, OLIVE, CYAN = "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
BLACK, DIM_GREY = "#000", "#696969"
# viridis, matplotlib's default colour map, from dark blue-purple to yellow; five stops are enough
VIRIDIS = ((0x44, 0x01, 0x54), (0x3b, 0x52, 0x8b), (0x21, 0x91, 0x8c), (0x5e, 0xc9, 0x62), (0xfd, 0xe7, 0x25))


def num(value):
    """A pixel coordinate in the SVG text: one decimal is finer than a screen shows, and keeps it short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def picture(width, height, parts):
    """One ``<svg>``: ``width`` × ``height`` CSS px, its ``viewBox`` the same, so it scales crisply."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="minigrad-plot" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{html.escape(FONT)}" '
            f'style="display:block;max-width:none;flex:none;background:#fff">{"".join(parts)}</svg>')


def shown(svg):
    """The SVG for an HTML widget: in a box as wide as the column, which scrolls sideways when the column is
    narrower than the picture (the picture itself is never shrunk, so its text stays as big as it was made)."""
    return f'<div class="minigrad-plot-box" style="overflow-x:auto;max-width:100%;line-height:0">{svg}</div>'


def text(x, y, words, size, anchor="middle", rotate=False, weight=None, colour=TEXT_COLOUR):
    """A text centred (or started, or ended: ``anchor``) at (x, y); rotated a quarter turn for a y label."""
    turn = f' transform="rotate(-90 {num(x)} {num(y)})"' if rotate else ""
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{num(x)}" y="{num(y)}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{colour}"{turn}{bold}>{html.escape(words)}</text>')


def text_width(words, size):
    """About how wide a text is drawn, in px (Python cannot ask the browser): narrow letters count less. On the
    wide side (DejaVu Sans, Linux's usual sans-serif), so that a legend's box holds its words."""
    narrow, wide = set("iljtfr.,:;'|!()[] "), set("mwMW@%")
    ems = sum(0.36 if c in narrow else 0.9 if c in wide else 0.72 if c.isupper() else 0.6 for c in words)
    return ems * size


def nice_ticks(low, high, at_most):
    """Round tick values between ``low`` and ``high``, at most ``at_most`` of them: steps of 1, 2 or 5 × 10^k."""
    span = high - low
    if not span > 0 or not math.isfinite(span):
        return [low]
    power = 10 ** math.floor(math.log10(span / at_most))
    steps = [m * power for m in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)]
    ticks = [_ticks_at(low, high, step) for step in steps]
    # at least 3 ticks (two gaps are what a reader needs to read a scale): the finest step that gives at most
    # ``at_most``, or, in a narrow panel where none does, the coarsest step that still gives 3
    enough = [found for found in ticks if len(found) >= 3]
    fitting = [found for found in enough if len(found) <= at_most]
    return fitting[0] if fitting else min(enough, key=len) if enough else max(ticks, key=len)


def _ticks_at(low, high, step):
    """The multiples of ``step`` between ``low`` and ``high``."""
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]  # 0.6, not 0.6000000000000001


def tick_label(value, step):
    """A tick's number with as many decimals as the step needs (0.5 → 1 decimal), minus as −."""
    if abs(value) < step * 1e-6:
        value = 0.0  # never "−0"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    words = f"{value:.0e}" if abs(value) >= 1e5 else f"{value:.{decimals}f}"
    return words.replace("-", MINUS)


def runs(xs, ys):
    """The pieces of a curve between its NaN or ±∞ points: a curve is broken there, never joined across."""
    finite = np.isfinite(xs) & np.isfinite(ys)
    pieces, start = [], None
    for index, ok in enumerate(finite):
        if ok and start is None:
            start = index
        elif not ok and start is not None:
            pieces.append((xs[start:index], ys[start:index]))
            start = None
    if start is not None:
        pieces.append((xs[start:], ys[start:]))
    return pieces


def thinned(px, py, apart=0.5):
    """The points (px) without those closer than ``apart`` px to the last one kept (the last point is always
    kept): 5000 epochs of a loss curve on 200 px are a few hundred points that a screen can tell apart."""
    if len(px) == 0:
        return []
    kept = [(float(px[0]), float(py[0]))]
    for x, y in zip(px[1:-1], py[1:-1]):
        if abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= apart:
            kept.append((float(x), float(y)))
    if len(px) > 1:
        kept.append((float(px[-1]), float(py[-1])))
    return kept


def contour_colours(count):
    """The colours of ``count`` contour levels, from the lowest to the highest: viridis, dark to yellow.
    ``Panel.contours`` draws with them and a legend's key shows them (a style with ``ramp``)."""
    return [viridis(index / max(count - 1, 1)) for index in range(count)]


def viridis(fraction):
    """A colour of the viridis map for a fraction 0…1 (dark blue-purple → green → yellow) as #rrggbb."""
    position = min(max(fraction, 0.0), 1.0) * (len(VIRIDIS) - 1)
    index = min(int(position), len(VIRIDIS) - 2)
    part = position - index
    low, high = VIRIDIS[index], VIRIDIS[index + 1]
    return "#" + "".join(f"{round(a + (b - a) * part):02x}" for a, b in zip(low, high))


# The four corners of a grid cell, counted anticlockwise from the bottom left, and its four edges:
# edge 0 joins corners 0 and 1 (bottom), edge 1 corners 1 and 2 (right), 2 corners 2 and 3 (top), 3 corners 3 and 0.
# A cell's case is a 4-bit number, bit k set when corner k is above the level; the table says which edges a
# contour line joins in that case (the saddles 5 and 10 have two pieces; 0 and 15 none).
CELL_EDGES = {1: [(3, 0)], 2: [(0, 1)], 3: [(3, 1)], 4: [(1, 2)], 5: [(3, 0), (1, 2)], 6: [(0, 2)], 7: [(3, 2)],
              8: [(2, 3)], 9: [(0, 2)], 10: [(0, 1), (2, 3)], 11: [(1, 2)], 12: [(3, 1)], 13: [(0, 1)], 14: [(3, 0)]}


def contour_segments(xs, ys, field, level):
    """Marching squares: the line where ``field`` (rows along ``ys``, columns along ``xs``) equals ``level``,
    as straight segments ((x0, y0), (x1, y1)), one or two per grid cell it crosses."""
    grid_x, grid_y = np.meshgrid(xs, ys)
    cells = [np.s_[:-1, :-1], np.s_[:-1, 1:], np.s_[1:, 1:], np.s_[1:, :-1]]  # each cell's corners 0, 1, 2, 3
    corners = [field[c] for c in cells]
    corner_xy = [(grid_x[c], grid_y[c]) for c in cells]
    case = sum((corner > level).astype(int) << bit for bit, corner in enumerate(corners))
    with np.errstate(divide="ignore", invalid="ignore"):  # an edge the line does not cross is never used
        edge_points = []
        for edge in range(4):
            a, b = edge, (edge + 1) % 4
            t = (level - corners[a]) / (corners[b] - corners[a])  # where along the edge the level is met
            edge_points.append((corner_xy[a][0] + t * (corner_xy[b][0] - corner_xy[a][0]),
                                corner_xy[a][1] + t * (corner_xy[b][1] - corner_xy[a][1])))
    segments = []
    for cell_case, pairs in CELL_EDGES.items():
        here = case == cell_case
        for start, end in pairs:
            segments += zip(zip(edge_points[start][0][here], edge_points[start][1][here]),
                            zip(edge_points[end][0][here], edge_points[end][1][here]))
    return segments


def join_segments(segments):
    """Segments that share ends, joined into polylines: one ``<polyline>`` instead of many pieces is less text.
    Ends are compared as the SVG writes them (a tenth of a pixel)."""
    ends = {}
    for index, (a, b) in enumerate(segments):
        ends.setdefault(a, []).append(index)
        ends.setdefault(b, []).append(index)
    used, lines = set(), []
    for index, (a, b) in enumerate(segments):
        if index in used:
            continue
        used.add(index)
        line = [a, b]
        for grow_at_end in (True, False):  # grow from the last point, then from the first
            while True:
                tip = line[-1] if grow_at_end else line[0]
                following = [i for i in ends[tip] if i not in used]
                if not following:
                    break
                used.add(following[0])
                p, q = segments[following[0]]
                nxt = q if p == tip else p
                line = line + [nxt] if grow_at_end else [nxt] + line
        lines.append(line)
    return lines


class Panel:
    """One set of axes: the plotting area at ``left``, ``top`` (px in the picture), ``width`` × ``height`` px,
    showing ``xlim`` × ``ylim`` of the data. Everything drawn in data coordinates is clipped to the area."""

    def __init__(self, left, top, width, height, xlim, ylim):
        self.left, self.top, self.width, self.height = left, top, width, height
        self.xlim, self.ylim = tuple(map(float, xlim)), tuple(map(float, ylim))

    def x_px(self, x):
        """Data x → px from the area's left edge (arrays too)."""
        low, high = self.xlim
        return (np.asarray(x, dtype=float) - low) / (high - low) * self.width

    def y_px(self, y):
        """Data y → px from the area's top edge: up in the data is up on the screen."""
        low, high = self.ylim
        return (high - np.asarray(y, dtype=float)) / (high - low) * self.height

    def clipped(self, parts):
        """SVG drawn in the area's own px, cut at its edges: an inner ``<svg>`` clips what it holds."""
        return (f'<svg x="{num(self.left)}" y="{num(self.top)}" width="{num(self.width)}" '
                f'height="{num(self.height)}">{"".join(parts)}</svg>')

    # ---------------------------------------------------------------- the still frame
    def frame(self, title="", xlabel="", ylabel=""):
        """Grid, ticks and their numbers, the border, the axis labels and the title."""
        left, top, right, bottom = self.left, self.top, self.left + self.width, self.top + self.height
        x_ticks = nice_ticks(*self.xlim, max(2, int(self.width // 70) + 1))
        y_ticks = nice_ticks(*self.ylim, max(2, int(self.height // 45) + 1))
        grid, numbers = [], []
        x_step = x_ticks[1] - x_ticks[0] if len(x_ticks) > 1 else 1.0
        y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 1.0
        for tick in x_ticks:
            x = left + float(self.x_px(tick))
            grid.append(f"M{num(x)} {num(top)}V{num(bottom)}")
            numbers.append(text(x, bottom + TICK_PX + 5, tick_label(tick, x_step), TICK_PX))
        for tick in y_ticks:
            y = top + float(self.y_px(tick))
            grid.append(f"M{num(left)} {num(y)}H{num(right)}")
            numbers.append(text(left - 6, y + TICK_PX * 0.35, tick_label(tick, y_step), TICK_PX, anchor="end"))
        widest = max(text_width(n, TICK_PX) for n in (tick_label(t, y_step) for t in y_ticks))
        parts = [f'<path d="{"".join(grid)}" stroke="{GRID_COLOUR}" stroke-width="1" fill="none"/>',
                 f'<rect x="{num(left)}" y="{num(top)}" width="{num(self.width)}" height="{num(self.height)}" '
                 f'fill="none" stroke="{FRAME_COLOUR}" stroke-width="1"/>',
                 f'<g class="ticks">{"".join(numbers)}</g>']
        if xlabel:
            parts.append(text((left + right) / 2, bottom + TICK_PX + LABEL_PX + 12, xlabel, LABEL_PX))
        if ylabel:
            parts.append(text(left - widest - 14, (top + bottom) / 2, ylabel, LABEL_PX, rotate=True))
        if title:
            parts.append(text((left + right) / 2, top - 9, title, LABEL_PX, weight="600"))
        return "".join(parts)

    # ---------------------------------------------------------------- data
    def line(self, xs, ys, colour, width=2.0, dash=None):
        """A curve through the points, broken at NaN and ±∞; ``dash`` like "6 4" (px on, px off)."""
        style = f' stroke-dasharray="{dash}"' if dash else ""
        drawn = []
        for piece_x, piece_y in runs(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)):
            if len(piece_x) < 2:
                continue
            # a huge value would write a huge number; 10 000 px away is off the area all the same
            px, py = np.clip(self.x_px(piece_x), -1e4, 1e4), np.clip(self.y_px(piece_y), -1e4, 1e4)
            points = " ".join(f"{num(x)},{num(y)}" for x, y in thinned(px, py))
            drawn.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{width}" '
                         f'stroke-linejoin="round"{style}/>')
        return "".join(drawn)

    def markers(self, xs, ys, colour, shape="circle", size=9):
        """A marker at each point: a filled circle or an ×, ``size`` px across."""
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        finite = np.isfinite(xs) & np.isfinite(ys)
        px, py = self.x_px(xs[finite]), self.y_px(ys[finite])
        return "".join(marker(x, y, colour, shape, size) for x, y in thinned(px, py, apart=size / 4))

    def vertical_line(self, x, colour, dash="2 3", width=1.5):
        """A line from the bottom to the top of the area at data ``x``."""
        x = float(self.x_px(x))
        return (f'<path d="M{num(x)} 0V{num(self.height)}" stroke="{colour}" stroke-width="{width}" '
                f'stroke-dasharray="{dash}"/>')

    def arrow(self, x, y, dx_px, dy_px, colour, width=2.0):
        """An arrow from data (x, y), ``dx_px``, ``dy_px`` px long (screen px: down is +y), its head filled."""
        x0, y0 = float(self.x_px(x)), float(self.y_px(y))
        x1, y1 = x0 + dx_px, y0 + dy_px
        length = math.hypot(dx_px, dy_px) or 1.0
        ux, uy = dx_px / length, dy_px / length  # along the arrow
        head, half = 10.0, 5.0
        base_x, base_y = x1 - ux * head, y1 - uy * head
        corners = [(x1, y1), (base_x - uy * half, base_y + ux * half), (base_x + uy * half, base_y - ux * half)]
        return (f'<path d="M{num(x0)} {num(y0)}L{num(base_x)} {num(base_y)}" stroke="{colour}" '
                f'stroke-width="{width}"/><polygon points="{" ".join(f"{num(a)},{num(b)}" for a, b in corners)}" '
                f'fill="{colour}"/>')

    def contours(self, xs, ys, field, levels, width=1.0):
        """The contour lines of ``field`` at ``levels`` (low → high), coloured by :func:`contour_colours`."""
        drawn = []
        for colour, level in zip(contour_colours(len(levels)), levels):
            segments = [((num(float(self.x_px(ax))), num(float(self.y_px(ay)))),
                         (num(float(self.x_px(bx))), num(float(self.y_px(by)))))
                        for (ax, ay), (bx, by) in contour_segments(xs, ys, field, level)]
            segments = [(a, b) for a, b in segments if a != b]  # a level met at a grid point: no length
            for line in join_segments(segments):
                drawn.append(f'<polyline points="{" ".join(f"{x},{y}" for x, y in line)}" fill="none" '
                             f'stroke="{colour}" stroke-width="{width}"/>')
        return "".join(drawn)

    # ---------------------------------------------------------------- the legend
    def legend(self, entries, corner="upper left", reach_left=0):
        """A white box listing (label, style) entries, drawn after the data so that nothing crosses its words.

        ``corner`` is "upper left", "upper right", "lower left" or "lower right" (inside the area, one entry a
        row), or "below" (under the x label, entries side by side, a new row when the area's width is full).
        A style is a dict with ``colour`` and any of ``dash`` (a dashed line), ``marker`` ("circle" or "x")
        and ``line`` (False: the marker alone); or a colour key: ``ramp`` (colours, low to high) and ``high``
        (the words for its high end; the entry's label names its low end), drawn "low ▮▮▮ high". Below the
        area, the box may start ``reach_left`` px to the left of it (under the y label).
        """
        rows = legend_rows(entries, self.width + reach_left if corner == "below" else 0)
        width, height = legend_size(rows)
        if corner == "below":
            x, y = self.left - reach_left, self.top + self.height + TICK_PX + LABEL_PX + 24
        else:
            x = self.left + 8 if "left" in corner else self.left + self.width - 8 - width
            y = self.top + 8 if "upper" in corner else self.top + self.height - 8 - height
        parts = [f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}" rx="3" '
                 f'fill="#fff" fill-opacity="0.9" stroke="#ccc"/>']
        for row_index, row in enumerate(rows):
            middle, left = y + 4 + LEGEND_ROW_PX * (row_index + 0.5), x
            for label, style in row:
                if "ramp" in style:
                    parts.append(colour_key(left + 8, middle, label, style))
                else:
                    parts.append(legend_sample(left + 8, middle, style))
                    parts.append(text(left + 40, middle + LEGEND_PX * 0.35, label, LEGEND_PX, anchor="start"))
                left += legend_entry_width(label, style)
        return f'<g class="legend">{"".join(parts)}</g>'


LEGEND_ROW_PX = 21
RAMP_PX, RAMP_HEIGHT_PX = 50, 10  # a colour key's bar


def legend_entry_width(label, style=None):
    if style and "ramp" in style:  # the words at both ends of the bar, the gaps
        return text_width(label, LEGEND_PX) + text_width(style["high"], LEGEND_PX) + RAMP_PX + 36
    return text_width(label, LEGEND_PX) + 48  # the sample line, the gaps, the words


def legend_rows(entries, max_width):
    """The entries in rows, side by side while they fit in ``max_width`` px (0: one entry a row)."""
    rows, width = [], math.inf
    for entry in entries:
        if width + legend_entry_width(*entry) > max_width:
            rows.append([])
            width = 0
        rows[-1].append(entry)
        width += legend_entry_width(*entry)
    return rows


def legend_size(rows):
    """(width, height) px of a legend box holding these rows."""
    return (max(sum(legend_entry_width(label, style) for label, style in row) for row in rows),
            len(rows) * LEGEND_ROW_PX + 8)


def legend_sample(x, y, style):
    """What an entry looks like, 26 px wide from (x, y): its line (dashed or not), its marker, or both."""
    parts = []
    if style.get("line", True):
        dash = f' stroke-dasharray="{style["dash"]}"' if style.get("dash") else ""
        parts.append(f'<path d="M{num(x)} {num(y)}h26" stroke="{style["colour"]}" stroke-width="2"{dash}/>')
    if style.get("marker"):
        parts.append(marker(x + 13, y, style["colour"], style["marker"], 8))
    return "".join(parts)


def colour_key(x, y, low, style):
    """A colour key from (x, y): the words ``low``, a bar of the ``ramp`` colours (low to high), the words
    ``style["high"]``; the words sit 6 px from the bar, whatever their drawn width."""
    colours, bar_left = style["ramp"], x + text_width(low, LEGEND_PX) + 6
    step = RAMP_PX / len(colours)
    bar = [f'<rect x="{num(bar_left + index * step)}" y="{num(y - RAMP_HEIGHT_PX / 2)}" '
           f'width="{num(step + 0.5 if index < len(colours) - 1 else step)}" height="{RAMP_HEIGHT_PX}" '
           f'fill="{colour}"/>' for index, colour in enumerate(colours)]  # each overlaps the next: no seam
    baseline = y + LEGEND_PX * 0.35
    return (text(bar_left - 6, baseline, low, LEGEND_PX, anchor="end") + "".join(bar)
            + text(bar_left + RAMP_PX + 6, baseline, style["high"], LEGEND_PX, anchor="start"))


def marker(x, y, colour, shape, size):
    """One marker at px (x, y): a filled circle, or an × of two strokes."""
    if shape == "x":
        r = size / 2
        return (f'<path d="M{num(x - r)} {num(y - r)}L{num(x + r)} {num(y + r)}M{num(x - r)} {num(y + r)}'
                f'L{num(x + r)} {num(y - r)}" stroke="{colour}" stroke-width="2"/>')
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(size / 2)}" fill="{colour}"/>'


def headroom(low, high, peak, box_px, area_px):
    """A new top for a y range [low, high] such that a box ``box_px`` tall at the top of an area ``area_px``
    tall stays clear of a curve whose highest value under the box is ``peak``.

    The px from the area's top to a value y is (top − y) / (top − low) × area_px; it must be at least
    ``box_px`` for y = peak, which gives top = (peak − f·low) / (1 − f) with f = box_px / area_px.
    """
    share = min(box_px / area_px, 0.6)
    return max(high, (peak - share * low) / (1 - share))
