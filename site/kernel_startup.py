# Run by the site's kernel as it starts, before any cell (IPython runs the startup files of the profile
# in IPYTHONDIR, which the site's jupyter-lite.json points into the wheel minigrad-site-cache; see
# tools/build_site.py). It runs in the notebook's namespace, so it leaves no name behind.
#
# Pyodide's matplotlib 3.8.4 ships a font list written by a newer matplotlib (version 390), which 3.8.4
# refuses: every tab rebuilt it on its first plot (1 to 2 s, and "Matplotlib is building the font cache"
# under the cell). The list made at build time by this very matplotlib takes its place.
def _minigrad_site_font_list():
    import pathlib
    import shutil

    import minigrad_site_cache

    here = pathlib.Path(minigrad_site_cache.__file__).parent
    shutil.copyfile(here / "fontlist.json", here.parent / "matplotlib" / "fontlist.json")


_minigrad_site_font_list()
del _minigrad_site_font_list
