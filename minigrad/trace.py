"""``minigrad.trace`` is ``minigrad.teaching.trace`` (the teaching layer): the short name the notebooks use."""

import sys

from .teaching import trace

sys.modules[__name__] = trace
