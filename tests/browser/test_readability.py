"""What a person at the back of the room sees, measured in the browser (DESIGN §8).

The measurements run on the page test_lab.py opened for each notebook (one JupyterLab server,
one page per notebook): ``check_notebook`` is called from its Run All test. Every graph of the
notebook, every step of every walkthrough:

* label size in CSS px = the SVG text's font-size × rendered width / viewBox width (≥ 14; legend ≥ 12),
  and no SVG shown below its natural size;
* contrast of every text against its own fill (WCAG AA, ≥ 4.5:1), from the drawing's colours;
* one screen: a walkthrough's controls, graph and equation within 720 px, the height the same at every step;
* in a backward step, each red (gradient) edge's arrowhead at the input that receives it, its label
  clear of the line;
* no raw TeX (``\\infty``, ``\\frac``, ``$$``) and no code spelling of nan/inf in anything rendered;
* every plot (an SVG: a widget's, or its stored snapshot) shown at its natural size or larger, its tick numbers
  ≥ 12 px and its labels, titles and legends ≥ 14 px as rendered.

The step slider's number is the step's (1 for "Forward 1 / 3"), as snapshot(k) numbers them.

And on one notebook each: Present mode (labels ≥ 24 px, equation ≥ 28 px, one 1280 × 720 screen with
the whole drawing: no sideways scrolling; ← / → still step), browser zoom (853 × 480 at device scale 1.5,
what Ctrl + 150 % does: ≥ 1.4 × the label device px of 1280 × 720), and frames=True keeping up with an
input slider (key press → new picture, median ≤ 50 ms, next to the live walkthrough).

Measurements are written to ``build/readability/NAME.json`` for the issue's tables.
"""

import json
import re
import statistics

import pytest
from playwright.sync_api import expect

from .conftest import NEW_PICTURE_JS, ROOT

REPORT = ROOT / "build" / "readability"
LABEL_PX, LEGEND_PX, CONTRAST, SCREEN = 14, 12, 4.5, 720
PRESENT_LABEL_PX, PRESENT_EQUATION_PX = 24, 28

# One function in the page: every number a check needs, for the SVGs under `root`.
MEASURE_JS = r"""
async (root, selector) => {
  const canvas = document.createElement('canvas').getContext('2d');
  const rgb = (color) => {
    canvas.fillStyle = '#000'; canvas.fillStyle = color || 'black';
    const hex = canvas.fillStyle;  // always #rrggbb for an opaque colour
    return [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
  };
  const luminance = (c) => {
    const l = c.map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(rgb(a)), luminance(rgb(b))].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const fillOf = (group) => {
    const shapes = [...group.querySelectorAll('polygon, path, ellipse')];
    const shape = shapes.find(s => (s.getAttribute('fill') || 'none') !== 'none');
    return shape ? shape.getAttribute('fill') : 'white';
  };
  const measureSvg = (svg, renderedWidth) => {
    const viewBox = svg.viewBox.baseVal;
    const scale = renderedWidth / viewBox.width;
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim());
    const label = [], legend = [], contrasts = [], raw = [];
    for (const text of texts) {
      const px = parseFloat(text.getAttribute('font-size')) * scale;
      const group = text.closest('g.node, g.edge');
      (group ? label : legend).push(px);
      const background = group && group.classList.contains('node') ? fillOf(group) : 'white';
      contrasts.push(contrast(text.getAttribute('fill') || 'black', background));
      raw.push(text.textContent);
    }
    const edges = [];
    for (const edge of svg.querySelectorAll('g.edge')) {
      const path = edge.querySelector('path');
      if (!path || rgb(path.getAttribute('stroke'))[0] < 150 || rgb(path.getAttribute('stroke'))[1] > 60) continue;
      const [tail, head] = edge.querySelector('title').textContent.split('->');
      const node = (name) => [...svg.querySelectorAll('g.node')]
          .find(g => g.querySelector('title').textContent === name);
      const arrow = edge.querySelector('polygon');
      if (!arrow || !node(tail) || !node(head)) continue;
      // the arrowhead's tip: the corner farthest from the other corners (a tall triangle)
      const corners = arrow.getAttribute('points').trim().split(/\s+/).map(p => p.split(',').map(Number));
      const distance = (p, q) => Math.hypot(p[0] - q[0], p[1] - q[1]);
      const tip = corners.reduce((best, p) => {
        const spread = corners.reduce((sum, q) => sum + distance(p, q), 0);
        return spread > best[1] ? [p, spread] : best; }, [corners[0], -1])[0];
      const toBox = (p, el) => { const b = el.getBBox();
        const dx = Math.max(b.x - p[0], 0, p[0] - b.x - b.width), dy = Math.max(b.y - p[1], 0, p[1] - b.y - b.height);
        return Math.hypot(dx, dy); };
      const text = [...edge.querySelectorAll('text')].find(x => x.textContent.trim());
      let struck = false;
      if (text) {
        const box = text.getBBox(), length = path.getTotalLength();
        for (let s = 0; s <= 60; s++) {
          const p = path.getPointAtLength(length * s / 60);
          const inside = p.x > box.x + 1 && p.x < box.x + box.width - 1 && p.y > box.y + 1
              && p.y < box.y + box.height - 1;
          struck = struck || inside;
        }
      }
      edges.push({tail, head, at_tail: toBox(tip, node(tail)) < toBox(tip, node(head)),
                  label: text ? text.textContent : null, struck});
    }
    return {label_px: Math.min(...label), legend_px: legend.length ? Math.min(...legend) : null,
            contrast: Math.min(...contrasts), rendered_px: renderedWidth, texts: raw, edges};
  };
  const out = [];
  for (const el of root.querySelectorAll(selector)) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || el.closest('.lm-mod-hidden')) continue;  // a frame not shown, or another tab
    if (el.tagName.toLowerCase() === 'img') {  // a static SVG output: JupyterLab shows it as an <img>
      const text = await (await fetch(el.src)).text();
      const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
      const holder = document.body.appendChild(document.createElement('div'));
      holder.style.cssText = 'position:absolute;left:-10000px;top:0';
      holder.appendChild(svg);
      const width = svg.getAttribute('width');  // Graphviz's are in pt, a plot's (svg_plot.py) in px
      const natural = parseFloat(width) * (width.endsWith('pt') ? 96 / 72 : 1);
      const result = measureSvg(svg, rect.width);
      result.natural_px = natural; result.kind = 'static';
      holder.remove();
      out.push(result);
    } else {
      const result = measureSvg(el, rect.width);
      result.natural_px = el.viewBox.baseVal.width * 96 / 72;
      result.kind = 'widget';
      out.push(result);
    }
  }
  return out;
}
"""

WALK_STATE_JS = r"""
(root) => {
  // the label shown, as wait_for_phase reads it: a frame being swapped can be laid out but hidden
  const shown = (e) => e.getBoundingClientRect().width > 0 && getComputedStyle(e).visibility !== 'hidden';
  const phase = [...root.querySelectorAll('.widget-label')].filter(shown)
      .map(l => l.textContent).find(t => /^(Forward|Backward) \d+ \/ \d+$/.test(t));
  const top = root.getBoundingClientRect().top;
  const equation = root.querySelector('.minigrad-equation').getBoundingClientRect();
  const latex = [...root.querySelectorAll('.minigrad-equation .minigrad-latex')]
      .filter(e => e.getBoundingClientRect().width > 0 && getComputedStyle(e).visibility !== 'hidden');
  const math = latex.length ? latex[latex.length - 1].querySelector('mjx-container') : null;
  const stepSlider = [...root.querySelectorAll('.widget-slider')]
      .find(s => (s.querySelector('.widget-label') || {}).textContent === 'step');
  const readout = stepSlider ? stepSlider.querySelector('.widget-readout') : null;
  const box = [...root.querySelectorAll('.minigrad-graph')].find(e => e.getBoundingClientRect().width > 0);
  return {phase, fit_px: equation.bottom - top, equation_px: equation.height,
          equation_font_px: math ? parseFloat(getComputedStyle(math).fontSize) : null,
          step_readout: readout ? readout.textContent.trim() : null,
          graph_overflow_px: box ? box.scrollWidth - box.clientWidth : null,
          page_overflow_px: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}
"""


def measure_graphs(locator, selector=".minigrad-graph svg, .jp-RenderedSVG img"):
    """Label px, legend px, contrast, rendered and natural width and red edges of each SVG shown."""
    return locator.evaluate(MEASURE_JS, selector)


def walk_state(walk):
    return walk.evaluate(WALK_STATE_JS)


def steps_of(phase):
    """'Forward 2 / 3' -> how many forward steps; the backward count comes from the last step's label."""
    return int(re.search(r"/ (\d+)$", phase).group(1))


def assert_readable(graphs, where, label_px=LABEL_PX, legend_px=LEGEND_PX):
    assert graphs, f"{where}: no graph found"
    for graph in graphs:
        assert graph["label_px"] >= label_px, (where, graph["label_px"])
        if graph["legend_px"] is not None:
            assert graph["legend_px"] >= legend_px, (where, graph["legend_px"])
        assert graph["contrast"] >= CONTRAST, (where, graph["contrast"])
        assert graph["rendered_px"] >= graph["natural_px"] - 1, (where, "shrunk below its natural size", graph)
        assert not any(re.search(r"\\infty|\\frac|\bnan\b|\binf\b", text) for text in graph["texts"]), where


SHOWN_GRAPH = """(root) => {  // the drawing on screen (with frames, the visible one)
    const shown = (e) => e.getBoundingClientRect().width > 0 && getComputedStyle(e).visibility !== 'hidden';
    const svg = [...root.querySelectorAll('.minigrad-graph svg')].find(shown);
    return svg ? svg.outerHTML : ''; }"""


def wait_for_phase(page, walk, previous, previous_graph=None):
    """Until the phase label has moved on, the shown equation is typeset (no TeX source left) and, when
    ``previous_graph`` is given, the shown drawing is no longer that one (the label can arrive first)."""
    page.wait_for_function("""([root, before, beforeGraph]) => {
        const shown = (e) => e.getBoundingClientRect().width > 0 && getComputedStyle(e).visibility !== 'hidden';
        const label = [...root.querySelectorAll('.widget-label')].filter(shown).map(x => x.textContent)
            .find(t => /^(Forward|Backward) \\d+ \\/ \\d+$/.test(t));
        const typeset = [...root.querySelectorAll('.minigrad-latex')].filter(shown)
            .every(e => e.querySelector('mjx-container'));
        const svg = [...root.querySelectorAll('.minigrad-graph svg')].find(shown);
        const redrawn = beforeGraph === null || (svg ? svg.outerHTML : '') !== beforeGraph;
        return label && label !== before && typeset && redrawn; }""",
                           arg=[walk.element_handle(), previous, previous_graph], timeout=15_000)


def step_through(page, walk, where):
    """Every step of one walkthrough: fit, labels, contrast and (backward) gradient directions."""
    seen = []
    state = walk_state(walk)
    while True:
        graphs = measure_graphs(walk, ".minigrad-graph svg")
        assert_readable(graphs, f"{where} {state['phase']}")
        assert state["fit_px"] <= SCREEN, (where, state)
        number = int(state["step_readout"])  # the slider counts every step from 1, Forward k / n is step k
        assert not seen or number == seen[0]["number"] + len(seen), (where, "the slider skipped a number", state)
        if state["phase"].startswith("Forward"):
            assert number == int(state["phase"].split()[1]), (where, "the slider's number is not the step's", state)
        if state["phase"].startswith("Backward"):
            edges = graphs[0]["edges"]
            assert edges, f"{where} {state['phase']}: no gradient edge drawn"
            for edge in edges:
                assert edge["at_tail"], (where, state["phase"], "a gradient arrow points away from its input", edge)
                assert not edge["struck"], (where, state["phase"], "the line strikes through the label", edge)
        seen.append({**state, "number": number, "label_px": min(g["label_px"] for g in graphs),
                     "legend_px": min((g["legend_px"] for g in graphs if g["legend_px"]), default=None),
                     "contrast": min(g["contrast"] for g in graphs), "width_px": graphs[0]["rendered_px"]})
        if state["phase"].startswith("Backward") and state["phase"].split()[1] == state["phase"].split()[-1]:
            break
        drawn = walk.evaluate(SHOWN_GRAPH)
        walk.get_by_role("button", name="Next ▶").click()
        wait_for_phase(page, walk, state["phase"], drawn)
        state = walk_state(walk)
    heights = {round(s["equation_px"]) for s in seen}
    assert len(heights) == 1, (where, "the equation area changes height while stepping", heights)
    return seen


def check_present_mode(page, walk, where):
    """Present at 1280 × 720, every step: labels ≥ 24 px, equation ≥ 28 px, one screen; ← / → step."""
    walk.scroll_into_view_if_needed()
    seen = []
    state = walk_state(walk)
    while True:
        graphs = measure_graphs(walk, ".minigrad-graph svg")
        assert_readable(graphs, f"{where} present {state['phase']}", PRESENT_LABEL_PX, PRESENT_LABEL_PX)
        assert state["equation_font_px"] >= PRESENT_EQUATION_PX, (where, state)
        assert state["fit_px"] <= SCREEN, (where, state)
        assert state["page_overflow_px"] <= 1, (where, "the page scrolls sideways", state)
        # one screen, all of the drawing (07's hand-written BCE, 13 boxes, is wrapped into rows to get there)
        assert state["graph_overflow_px"] <= 1, (where, "the drawing scrolls sideways", state)
        seen.append({**state, "label_px": min(g["label_px"] for g in graphs), "width_px": graphs[0]["rendered_px"]})
        if len(seen) == 1:
            REPORT.mkdir(parents=True, exist_ok=True)
            walk.screenshot(path=str(REPORT / f"{where}-present.png"))  # to look at
        if state["phase"].startswith("Backward") and state["phase"].split()[1] == state["phase"].split()[-1]:
            break
        walk.get_by_role("button", name="Next ▶").click()
        wait_for_phase(page, walk, state["phase"])
        state = walk_state(walk)
    assert len({round(s["equation_px"]) for s in seen}) == 1, (where, "the equation area changes height")
    walk.get_by_role("button", name="⟲ Reset").click()
    wait_for_phase(page, walk, state["phase"])
    first = walk_state(walk)["phase"]
    walk.locator(".widget-slider").filter(has_text="step").first.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    wait_for_phase(page, walk, first)
    second = walk_state(walk)["phase"]
    page.keyboard.press("ArrowLeft")
    wait_for_phase(page, walk, second)
    # back at the first step (under load a later update can follow a first change: wait for the label itself)
    expect(walk.locator(".widget-label:visible", has_text=re.compile(f"^{re.escape(first)}$"))).to_have_count(
        1, timeout=15_000)
    return {"steps": seen, "arrow_keys": [first, second, first]}


def check_zoom(page, walk, where):
    """Ctrl + 150 %: 853 × 480 CSS px at device scale 1.5; the labels must grow in device px."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_timeout(300)
    plain = min(g["label_px"] for g in measure_graphs(walk, ".minigrad-graph svg"))
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setDeviceMetricsOverride", {"width": 853, "height": 480, "deviceScaleFactor": 1.5,
                                                         "mobile": False})
    try:
        page.wait_for_timeout(500)
        ratio_of_pixels = page.evaluate("window.devicePixelRatio")
        zoomed = min(g["label_px"] for g in measure_graphs(walk, ".minigrad-graph svg")) * ratio_of_pixels
    finally:
        session.send("Emulation.clearDeviceMetricsOverride")
        session.detach()
    page.set_viewport_size({"width": 1280, "height": 800})
    result = {"label_device_px_100": plain, "label_device_px_150": zoomed, "ratio": zoomed / plain}
    assert result["ratio"] >= 1.4, (where, result)
    return result


# JupyterLab's default rendering (windowingMode "contentVisibility"): each cell is laid out and painted on its
# own, and a cell off the screen not at all. The tests' server turns it off ("none", conftest.py) so that every
# check can see every cell; while a key press is timed, the cells are set as the default sets them (what a
# student's JupyterLab does), else every frame of the page lays out and paints the whole notebook again.
DEFAULT_RENDERING_JS = r"""
(panel) => { for (const cell of panel.querySelectorAll('.jp-Cell')) {
  cell.style.containIntrinsicSize = `auto ${cell.getBoundingClientRect().height}px`;
  cell.style.contentVisibility = 'auto';
  cell.style.contain = 'layout style paint'; } }
"""
ALL_CELLS_RENDERED_JS = r"""
(panel) => { for (const cell of panel.querySelectorAll('.jp-Cell')) {
  for (const name of ['contain-intrinsic-size', 'content-visibility', 'contain']) cell.style.removeProperty(name); } }
"""


def key_to_picture_ms(page, walks, presses=7):
    """{name: (median, times)}: ms from a key press on each walkthrough's first input slider to a changed
    picture of its current step. The walkthroughs take turns, press after press, so that a busy moment of
    the machine slows them alike and their ratio means something. Each press comes a while after its slider
    got the focus: focusing an output of another cell makes it JupyterLab's active cell, whose toolbar is
    rebuilt (tens of ms of the page's time, a click's cost, not the key press's), and the other walkthrough's
    later frames are drawn meanwhile."""
    times = {name: [] for name in walks}
    for _ in range(presses):
        for name, walk in walks.items():
            walk.evaluate(NEW_PICTURE_JS, [".minigrad-graph svg", 10_000, False])
            walk.locator(".widget-slider .noUi-handle").first.focus()
            page.wait_for_timeout(700)
            page.keyboard.press("ArrowRight")
            changed = page.evaluate("window.__pictureAt")
            assert changed is not None, f"{name}: the picture did not change within 10 s of a key press on an input"
            times[name].append(changed - page.evaluate("window.__keyAt"))
    return {name: (statistics.median(values), values) for name, values in times.items()}


PLOTS_JS = r"""
async (root) => {
  // a plot's text in CSS px as shown: its font-size × rendered width / viewBox width; kinds as svg_plot.py
  // writes them: a tick's number (in g.ticks), a legend entry (in g.legend), a label or a title (the rest)
  const measure = (svg, renderedWidth, kind) => {
    const scale = renderedWidth / svg.viewBox.baseVal.width;
    const sizes = {tick: [], legend: [], label: []};
    for (const text of svg.querySelectorAll('text')) {
      const where = text.closest('g.ticks') ? 'tick' : text.closest('g.legend') ? 'legend' : 'label';
      sizes[where].push(parseFloat(text.getAttribute('font-size')) * scale);
    }
    return {kind, natural_px: parseFloat(svg.getAttribute('width')), rendered_px: renderedWidth,
            tick_px: Math.min(...sizes.tick), legend_px: Math.min(...sizes.legend),
            label_px: Math.min(...sizes.label), texts: sizes.tick.length + sizes.legend.length + sizes.label.length};
  };
  const out = [];
  for (const svg of root.querySelectorAll('svg.minigrad-plot')) {  // a widget's plot, live
    const width = svg.getBoundingClientRect().width;
    if (width > 0) out.push(measure(svg, width, 'widget'));
  }
  for (const img of root.querySelectorAll('.jp-RenderedSVG img')) {  // a stored snapshot: SVG(plot.snapshot())
    const width = img.getBoundingClientRect().width;
    if (width === 0) continue;
    const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml').documentElement;
    if (svg.classList.contains('minigrad-plot')) out.push(measure(svg, width, 'static'));
  }
  return out;
}
"""


def check_plots(panel, where):
    """Every plot (a widget's SVG or a stored snapshot of one) shown at its natural size or larger, its
    tick numbers ≥ 12 CSS px and its labels, titles and legends ≥ 14 as the page draws them."""
    plots = panel.evaluate(PLOTS_JS)
    for plot in plots:
        assert plot["rendered_px"] >= plot["natural_px"] - 1, (where, "a plot shrunk below its natural size", plot)
        assert plot["texts"] > 5 and plot["tick_px"] >= 12, (where, plot)
        assert plot["label_px"] >= 14 and plot["legend_px"] >= 14, (where, plot)
    return plots


def check_no_raw_tex(panel, where):
    """Widgets, pictures and rich outputs read as maths; printed text (a cell that prints ``step.latex``
    to show the LaTeX source, on purpose) is not checked."""
    rendered = panel.locator(".jp-OutputArea-output:not([data-mime-type='application/vnd.jupyter.stdout'])")
    text = "\n".join(rendered.all_inner_texts())
    for raw in (r"\infty", r"\frac", "$$"):
        assert raw not in text, (where, raw)
    widgets = "\n".join(panel.locator(".jupyter-widgets").all_inner_texts())
    assert not re.search(r"\bnan\b|\binf\b", widgets), where


def check_notebook(page, panel, name):
    """All of the above on the notebook that test_lab.py has just run; returns what was measured."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)
    report = {"graphs": measure_graphs(panel, ".minigrad-graph svg, .jp-RenderedSVG img")}
    assert_readable(report["graphs"], name)
    report["plots"] = check_plots(panel, name)
    check_no_raw_tex(panel, name)
    walks = panel.locator(".minigrad-walkthrough")
    report["walkthroughs"] = []
    for index in range(walks.count()):
        walk = walks.nth(index)
        walk.scroll_into_view_if_needed()
        report["walkthroughs"].append(step_through(page, walk, f"{name} walkthrough {index}"))
    if name == "03_three_links":
        report["zoom"] = check_zoom(page, walks.nth(0), name)
    if name == "04_neuron_bce":
        panel.evaluate(DEFAULT_RENDERING_JS)
        try:
            timed = key_to_picture_ms(page, {"frames_ms": walks.nth(0), "live_ms": walks.nth(1)})  # frames=True, live
        finally:
            panel.evaluate(ALL_CELLS_RENDERED_JS)
        report.update(timed)
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / f"{name}.json").write_text(json.dumps({k: v for k, v in report.items() if k != "graphs"} | {
        "graphs": [{k: g[k] for k in ("kind", "label_px", "legend_px", "contrast", "rendered_px", "natural_px")}
                   for g in report["graphs"]]}, indent=1))
    if "frames_ms" in report:
        # frames=True keeps up with the live walkthrough (before: 145-227 ms against 40). The absolute target,
        # 50 ms, holds on a quiet machine (38 / 40 ms median at load 5 on 2 cores); a CI box shared by several
        # jobs adds its own wait to both (60-70 ms at load 4-6), so the test compares the two and keeps a
        # generous ceiling: the 50 ms are reported in build/readability/04_neuron_bce.json, not asserted.
        frames, live = report["frames_ms"][0], report["live_ms"][0]
        assert frames <= 1.5 * live + 15 and max(frames, live) <= 250, report
    return report


PRESENT_NOTEBOOKS = ["00_start_here", "01_square", "02_chain_rule_sin", "03_three_links", "04_neuron_bce",
                     "05_autograd_in_practice", "06_playground", "07_your_code"]


@pytest.fixture(scope="module")
def voila_present(present):
    """``make present``: MINIGRAD_PRESENT=1, so every walkthrough starts in Present mode."""
    return present


@pytest.mark.parametrize("name", PRESENT_NOTEBOOKS)
def test_present_mode_in_voila_fills_one_projector_screen(page, voila_present, console_errors, name):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(voila_present.page_url(f"voila/render/{name}.ipynb"), timeout=120_000)
    walks = page.locator(".minigrad-walkthrough")
    walks.first.locator(".minigrad-graph svg").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    report = []
    for index in range(walks.count()):
        walk = walks.nth(index)
        expect(walk.locator("button", has_text="Present").first).to_have_class(re.compile(r"mod-active"))
        expect(walk.locator(".minigrad-table")).to_be_hidden()
        report.append(check_present_mode(page, walk, f"{name}-{index}"))
    assert report, f"{name}: no walkthrough"
    (REPORT / f"{name}-present.json").write_text(json.dumps(report, indent=1))
    assert console_errors == [], console_errors


def test_contrast_of_the_drawing_colours_meets_wcag_aa():
    """The palette itself (the browser check computes the same from every rendered SVG)."""
    from minigrad import viz

    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    hexes = {"red3": "#cd0000", "white": "#ffffff", "black": "#000000", "gold": "#ffd700", "lightblue": "#add8e6",
             "darkolivegreen1": "#caff70", "gray90": "#e5e5e5", "gray95": "#f2f2f2", "orange": "#ffa500",
             "lightgray": "#d3d3d3"}
    text_on = [("red3", "white")] + [("black", viz.COLORS[k]) for k in ("input", "output", "data", "constant",
                                                                         "current", "saved", "op")]
    for text, fill in text_on:
        high, low = sorted((luminance(hexes[text]), luminance(hexes[fill])), reverse=True)
        assert (high + 0.05) / (low + 0.05) >= CONTRAST, (text, fill)
