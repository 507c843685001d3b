"""``minigrad.viz`` is ``minigrad.teaching.viz`` (the teaching layer): the short name the notebooks use.

``python -m minigrad.viz ...`` runs the drawing's command line (``minigrad.teaching.viz.main``).
"""

import sys

from .teaching import viz

if __name__ == "__main__":
    raise SystemExit(viz.main())

sys.modules[__name__] = viz
