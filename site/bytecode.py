"""Inside Pyodide, at build time (site/bytecode.js runs it): the bytecode a browser tab would compile.

Pyodide ships every module as source and never writes bytecode (its file system lives in memory and
is gone with the tab), so each new kernel compiles every module it imports: IPython for the kernel
itself, then NumPy, ipywidgets and minigrad, in WebAssembly, on the student's machine.
Here the same Pyodide (the site's own files) starts the kernel's Python side, imports what the
site's notebooks import, and writes, for every module that was loaded:

- /out/site-packages/<package>/__pycache__/<module>.cpython-312.pyc, for the site's wheel of bytecode;
- /out/stdlib/<module>.pyc, to sit beside its source in Pyodide's python_stdlib.zip.

Every file is a *checked-hash* pyc (PEP 552): Python uses it only if the hash of the source beside it
matches, so a bytecode file can make an import faster but never run other code than its source.
"""

import ast
import importlib._bootstrap_external as bootstrap_external
import importlib.util
import json
import os
import pathlib
import site
import sys
import zipfile

SITE_PACKAGES = site.getsitepackages()[0]
STDLIB_ZIP = f"/lib/python{sys.version_info.major}{sys.version_info.minor}.zip"
OUT = pathlib.Path("/out")
# what a session uses beyond the notebooks' own import lines: the site's set-up and the widgets
ALSO_IMPORTED = ["minigrad.teaching.render_browser", "minigrad.widgets", "minigrad.viz", "ipywidgets", "IPython.display"]


def install_wheels(wheels):
    """The site's wheels unpacked where micropip would put them (installing is unpacking, for a wheel)."""
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(SITE_PACKAGES)


def start_kernel():
    """The kernel's own start (JupyterLite imports pyodide_kernel), with no browser to send comms to."""
    import pyodide_kernel

    pyodide_kernel.ipython_shell.send_comm = lambda *args, **kwargs: None


def notebook_imports(folder):
    """Every module named by an import statement in the code cells of the notebooks in ``folder``."""
    names = set()
    for path in sorted(pathlib.Path(folder).glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(line for line in cell["source"] if not line.lstrip().startswith(("%", "!")))
            try:
                tree = ast.parse(source)
            except SyntaxError:  # a cell with top-level await or IPython syntax: its imports are the kernel's
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module)
    return sorted(names)


def checked_pyc(source, filename):
    code = compile(source, filename, "exec", dont_inherit=True)
    return bootstrap_external._code_to_hash_pyc(code, importlib.util.source_hash(source), checked=True)


def bytecode_of(module):
    """(kind, path inside its place, pyc bytes) for a module loaded from source, else None."""
    filename = getattr(module, "__file__", None) or ""
    if not filename.endswith(".py"):
        return None
    if filename.startswith(SITE_PACKAGES + "/"):
        inside = os.path.relpath(filename, SITE_PACKAGES)
        return ("site-packages", importlib.util.cache_from_source(inside),
                checked_pyc(pathlib.Path(filename).read_bytes(), filename))
    if filename.startswith(STDLIB_ZIP + "/"):
        inside = filename[len(STDLIB_ZIP) + 1:]
        with zipfile.ZipFile(STDLIB_ZIP) as stdlib:
            source = stdlib.read(inside)
        return "stdlib", inside[:-3] + ".pyc", checked_pyc(source, filename)  # zipimport looks beside the source
    return None  # Pyodide's own boot files and frozen modules: compiled already


class Recorder:
    """Writes the bytecode of the modules each stage of a session loaded, in the order they were loaded.

    /out/bytecode.json lists them stage by stage (the kernel's start first): the build ships them in
    that order for as long as its budget allows (BYTECODE_MEGABYTES).
    """

    def __init__(self):
        self.seen, self.listed = set(), []

    def stage(self, name):
        for module_name, module in list(sys.modules.items()):
            if module_name in self.seen:
                continue
            self.seen.add(module_name)
            found = bytecode_of(module)
            if found is None:
                continue
            kind, inside, data = found
            target = OUT / kind / inside
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            self.listed.append({"stage": name, "kind": kind, "path": inside})

    def save(self):
        (OUT / "bytecode.json").write_text(json.dumps(self.listed, indent=0))
        return {kind: sum(entry["kind"] == kind for entry in self.listed) for kind in ("site-packages", "stdlib")}


def main():
    install_wheels(WHEELS)  # noqa: F821 (set by site/bytecode.js)
    recorder = Recorder()
    recorder.stage("Pyodide's start")  # what Pyodide's own start imports (from the stdlib zip: it gains too)
    start_kernel()
    recorder.stage("the kernel's start")
    import minigrad.teaching.render_browser  # noqa: F401 (the setup cell)

    recorder.stage("the setup cell")
    for name in ALSO_IMPORTED:
        importlib.import_module(name)
    for name in notebook_imports("/site/files"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:  # `import torch` inside %%walkthrough cells means minigrad, and 05's try
            pass
    recorder.stage("the notebooks' imports")
    counts = recorder.save()
    return f"bytecode of {counts['site-packages']} site-packages and {counts['stdlib']} stdlib modules"


def run():
    """main()'s summary, or the traceback (the kernel's start replaces sys.stderr: Node would not see it)."""
    import traceback

    try:
        return main()
    except BaseException:
        return "FAILED\n" + traceback.format_exc()


run()
