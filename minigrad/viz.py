"""``minigrad.viz`` is ``minigrad.teaching.viz`` (the teaching layer): the short name the notebooks use."""

import sys

from .teaching import viz

sys.modules[__name__] = viz
