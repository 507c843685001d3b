"""``minigrad.viz`` is ``minigrad.teaching.viz`` (the teaching layer): the short name the notebooks use.

``python -m minigrad.viz "exp(sin(x**2))" --at x=2 --step 5 -o chain.svg`` runs its command line."""

import sys

from .teaching import viz

if __name__ == "__main__":
    sys.exit(viz.main())
sys.modules[__name__] = viz
