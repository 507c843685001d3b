"""``minigrad.expr`` is ``minigrad.teaching.expr`` (the teaching layer): the short name the notebooks use."""

import sys

from .teaching import expr

sys.modules[__name__] = expr
