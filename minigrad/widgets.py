"""``minigrad.widgets`` is ``minigrad.teaching.widgets`` (the teaching layer): the short name the notebooks use."""

import sys

from .teaching import widgets

sys.modules[__name__] = widgets
