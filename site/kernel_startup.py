# Run by the site's kernel as it starts, before any cell (IPython runs the startup files of the profile
# in IPYTHONDIR, which the site's jupyter-lite.json points into the wheel minigrad-site-cache; see
# tools/build_site.py). It runs in the notebook's namespace, so it leaves no name behind.
#
# The course's packages load with the first cell that runs. Pyodide boots with the kernel's own packages
# only (IPython, jedi, ...); numpy, the site's wheels (minigrad-lab, ipywidgets, ...) and their bytecode,
# listed by the build in MINIGRAD_SITE_AFTER_START, load in one go (side by side) when the first cell is
# sent: the kernel's own step "load the packages this cell imports" waits for them first, every cell after
# it too, so no cell ever sees them missing. (Loaded in the background as soon as the kernel was up, their
# unpacking held up the kernel's first replies.)
def _minigrad_site_after_start():
    import asyncio
    import json
    import os

    import pyodide_js
    import pyodide_kernel.kernel
    from pyodide.ffi import to_js

    async def load_the_course_packages():
        await pyodide_js.loadPackage(to_js(json.loads(os.environ.get("MINIGRAD_SITE_AFTER_START", "[]"))))

    loading = []  # the one load, once the first cell has started it
    load_imports = pyodide_kernel.kernel._load_packages_from_imports

    async def after_the_course_packages(code, *args, **kwargs):
        if not loading:
            loading.append(asyncio.ensure_future(load_the_course_packages()))
        await loading[0]
        return await load_imports(code, *args, **kwargs)

    pyodide_kernel.kernel._load_packages_from_imports = after_the_course_packages


_minigrad_site_after_start()
del _minigrad_site_after_start
