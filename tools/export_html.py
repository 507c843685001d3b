"""Export a notebook to an HTML page that is whole with no kernel and no network.

    python tools/export_html.py notebooks/03_three_links.ipynb -o build/html

nbconvert's page normally loads the widget manager (``@jupyter-widgets/html-manager``),
require.js and MathJax from CDNs. This writes them next to the page instead, installed from
the npm registry once (``npm install`` into ``.cache/widget-manager``), so that

* equations (markdown maths and the walkthrough's) are typeset by the local MathJax 2,
  with its own local fonts;
* Play and the step slider keep working: the graph, equation, phase and node table of every
  step were drawn in advance (``Walkthrough(frames=True)``) and the browser switches them;
* every control that needs a kernel (the input sliders, the ``f =`` box, Next/Previous,
  the buttons of the labs, the quizzes) is greyed out, with a one-line note saying so;
  the controls linked in the browser itself (jslink: Play, the step slider, the speed) stay.
"""

import argparse
import copy
import pathlib
import shutil
import subprocess
import sys
import uuid

import nbformat
from nbconvert import HTMLExporter

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "widget-manager"
# html-manager 1.x reads ipywidgets 8 state; MathJax 2 is what nbconvert's page and the HTMLMath widget call
PACKAGES = ("@jupyter-widgets/html-manager@1.0.7", "requirejs@2.3.8", "mathjax@2.7.9")
MATHJAX_PARTS = ("MathJax.js", "config", "extensions", "jax/input/TeX", "jax/output/CommonHTML", "jax/element",
                 "fonts/HTML-CSS/TeX/woff", "localization/en")  # what TeX-AMS_CHTML-full needs (3 of its 73 MB)
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNEL_NOTE = ("<div class='minigrad-kernel-note' style='color:#555;font-size:13px;margin:2px 0 6px'>"
               "{what} This saved page has no kernel: the greyed-out controls need the notebook running "
               "in JupyterLab.</div>")
FONT_CSS = """<style>
/* the page's text in the fonts of this machine (nothing is fetched), as JupyterLab shows it */
body, .jp-Notebook, .jupyter-widgets, .widget-label, .widget-html-content, .jp-RenderedHTMLCommon {
  font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif;
}
.jupyter-widgets :disabled, .jupyter-widgets .mod-disabled { cursor: not-allowed; opacity: 0.5; }
</style>"""


def node_packages():
    """The npm packages' folder, installed on first use."""
    modules = CACHE / "node_modules"
    wanted = [modules / "@jupyter-widgets/html-manager/dist/embed-amd.js", modules / "requirejs/require.js",
              modules / "mathjax/MathJax.js"]
    if not all(path.exists() for path in wanted):
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--silent", *PACKAGES],
                       check=True)
    return modules


def copy_libraries(output_dir):
    """The widget manager, require.js, its icon fonts and the parts of MathJax the page uses."""
    modules = node_packages()
    dist = modules / "@jupyter-widgets" / "html-manager" / "dist"
    target = output_dir / "widget-manager"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(dist, target, ignore=shutil.ignore_patterns("*.map"))
    shutil.copy(modules / "requirejs" / "require.js", target / "require.js")
    # the widget manager asks for its icon fonts at /@jupyter-widgets/ (the page's site root)
    fonts = output_dir / "@jupyter-widgets"
    fonts.mkdir(parents=True, exist_ok=True)
    for font in dist.iterdir():
        if font.suffix in (".woff", ".woff2", ".ttf", ".eot", ".svg"):
            shutil.copy(font, fonts / font.name)
    mathjax = output_dir / "mathjax"
    if mathjax.exists():
        shutil.rmtree(mathjax)
    for part in MATHJAX_PARTS:
        source, destination = modules / "mathjax" / part, mathjax / part
        destination.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, destination)


# ------------------------------------------------------------------------------ kernel-only controls
def _model_ids(value):
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return [value[len("IPY_MODEL_"):]]
    if isinstance(value, (list, tuple)):
        return [i for item in value for i in _model_ids(item)]
    if isinstance(value, dict):
        return [i for item in value.values() for i in _model_ids(item)]
    return []


def browser_linked(models):
    """The models a jslink ties together: these work on a saved page."""
    return {i for m in models.values() if m["model_name"] == "LinkModel" for i in _model_ids(m["state"])}


def _inside(models, root):
    seen, todo = set(), [root]
    while todo:
        model_id = todo.pop()
        if model_id in seen or model_id not in models:
            continue
        seen.add(model_id)
        todo += _model_ids(models[model_id]["state"].get("children", []))
    return seen


def _note_model(models, text):
    """A new HTML model (with its own layout and style) made from an HTML model the state has."""
    template_id = next(i for i, m in models.items() if m["model_name"] == "HTMLModel")
    note = copy.deepcopy(models[template_id])
    note["state"]["value"] = text
    for key in ("layout", "style"):
        source = _model_ids(note["state"].get(key))
        if source:
            new_id = uuid.uuid4().hex
            models[new_id] = copy.deepcopy(models[source[0]])
            if key == "layout":  # a layout of its own, all defaults (the template's may be a graph box's)
                own = models[new_id]["state"]
                own.update({name: None for name in own if not name.startswith("_")})
            note["state"][key] = f"IPY_MODEL_{new_id}"
    note_id = uuid.uuid4().hex
    models[note_id] = note
    return note_id


def grey_out_kernel_controls(notebook):
    """Disable every control that needs a kernel, and put a one-line note at the top of each widget with one."""
    widgets = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    models = widgets.get("state", {})
    if not models:
        return 0
    linked = browser_linked(models)
    displayed = [o["data"][WIDGET_VIEW]["model_id"] for cell in notebook.cells if cell.cell_type == "code"
                 for o in cell.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]
    greyed = 0
    for root in displayed:
        inside = _inside(models, root)
        controls = [i for i in inside if "disabled" in models[i]["state"] and i not in linked]
        for model_id in controls:
            models[model_id]["state"]["disabled"] = True
        greyed += len(controls)
        if controls and "children" in models.get(root, {}).get("state", {}):
            playable = any(i in linked for i in inside)
            what = "▶ Play, the step slider and the speed work here." if playable else ""
            note = _note_model(models, KERNEL_NOTE.format(what=what))
            models[root]["state"]["children"] = [f"IPY_MODEL_{note}"] + models[root]["state"]["children"]
    return greyed


# ------------------------------------------------------------------------------ the page
def export(notebook_path, output_dir):
    """Write ``<name>.html`` and the libraries it loads into ``output_dir``; returns the page's path."""
    output_dir = pathlib.Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    copy_libraries(output_dir)
    notebook = nbformat.read(notebook_path, as_version=4)
    grey_out_kernel_controls(notebook)
    exporter = HTMLExporter(template_name="lab", widget_renderer_url="widget-manager/embed-amd.js",
                            require_js_url="widget-manager/require.js", mathjax_url=MATHJAX_URL)
    body, _ = exporter.from_notebook_node(notebook)
    body = body.replace("</head>", FONT_CSS + "\n</head>", 1)
    page = output_dir / (pathlib.Path(notebook_path).stem + ".html")
    page.write_text(body, encoding="utf-8")
    return page


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook")
    parser.add_argument("-o", "--output", default="build/html")
    args = parser.parse_args(argv)
    print(export(args.notebook, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
