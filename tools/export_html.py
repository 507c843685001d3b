"""Export a notebook to an HTML page whose saved widgets (the kernel-free walkthroughs) work offline.

    python tools/export_html.py notebooks/03_three_links.ipynb -o build/html

nbconvert's page normally loads the widget manager (``@jupyter-widgets/html-manager``) and
require.js from a CDN. This writes them next to the page instead, taken from the npm registry
once (``npm install`` into ``.cache/widget-manager``), so Play and the step slider keep working
with no network and no kernel. (Equations still use MathJax from its CDN when online.)
"""

import argparse
import pathlib
import shutil
import subprocess
import sys

import nbformat
from nbconvert import HTMLExporter

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "widget-manager"
PACKAGES = ("@jupyter-widgets/html-manager@1.0.7", "requirejs@2.3.8")  # html-manager 1.x reads ipywidgets 8 state


def widget_manager():
    """The html-manager's dist folder and require.js, installed from npm on first use."""
    dist = CACHE / "node_modules" / "@jupyter-widgets" / "html-manager" / "dist"
    require = CACHE / "node_modules" / "requirejs" / "require.js"
    if not (dist / "embed-amd.js").exists() or not require.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--silent", *PACKAGES],
                       check=True)
    return dist, require


def export(notebook_path, output_dir):
    """Write ``<name>.html`` and a ``widget-manager/`` folder into ``output_dir``; returns the page's path."""
    output_dir = pathlib.Path(output_dir)
    target = output_dir / "widget-manager"
    dist, require = widget_manager()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(dist, target, ignore=shutil.ignore_patterns("*.map"))
    shutil.copy(require, target / "require.js")
    # the widget manager asks for its icon fonts at /@jupyter-widgets/ (the page's site root)
    fonts = output_dir / "@jupyter-widgets"
    fonts.mkdir(parents=True, exist_ok=True)
    for font in dist.iterdir():
        if font.suffix in (".woff", ".woff2", ".ttf", ".eot", ".svg"):
            shutil.copy(font, fonts / font.name)
    exporter = HTMLExporter(template_name="lab", widget_renderer_url="widget-manager/embed-amd.js",
                            require_js_url="widget-manager/require.js")
    body, _ = exporter.from_notebook_node(nbformat.read(notebook_path, as_version=4))
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
