"""Re-execute every notebook in notebooks/ from a clean state and save it with its outputs.

``make notebooks`` runs this. Each notebook is stripped of its old outputs and widget state
first (nbclient would otherwise keep stale widget models), executed top to bottom in the
notebooks/ folder with this environment's kernel, and saved with the new widget state, so
GitHub and nbviewer show every graph and the kernel-free walkthroughs play. The file is
stored exactly as JupyterLab writes it (``jupyter/notebook_files.py``), so that opening it in
JupyterLab does not mark it modified, with no widget models that no output uses.
"""

import argparse
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "jupyter"))  # the Jupyter configuration's own module, as `make lab` finds it

import notebook_files  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"


def clean(notebook):
    """Drop outputs, execution counts and widget state: a notebook as if never run."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    return notebook


def execute(path, timeout=120):
    """Execute one notebook in place; returns the seconds it took."""
    notebook = clean(nbformat.read(path, as_version=4))
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    notebook_files.keep_widgets_whole({"type": "notebook", "content": notebook})  # drops models no output uses
    nbformat.write(notebook_files.as_jupyterlab_writes(notebook), path)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="notebook names, with or without .ipynb (default: all)")
    parser.add_argument("--folder", type=pathlib.Path, default=NOTEBOOKS, help="where they are (default: notebooks/)")
    args = parser.parse_args(argv)
    paths = ([args.folder / pathlib.Path(name).with_suffix(".ipynb").name for name in args.names]
             or sorted(args.folder.glob("*.ipynb")))
    for path in paths:
        seconds = execute(path)
        print(f"{path.name}: executed in {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
