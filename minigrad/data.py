"""``minigrad.data`` is ``minigrad.teaching.data`` (the teaching layer): the short name the notebooks use."""

import sys

from .teaching import data

sys.modules[__name__] = data
