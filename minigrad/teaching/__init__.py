"""The teaching layer: what turns the library into a course.

``minigrad`` itself (tensor, ops, autograd, nn, optim) is the library and needs NumPy alone; it never
imports anything from here. This package sits on top of it and reads the engine's events:

- ``trace``: records a walkthrough (every forward value, local derivative and accumulated gradient, step by step);
- ``notation``: how a number, a formula or a step is written for a student;
- ``expr``: the safe parser for formulas a student types (``"exp(sin(x**2))"``);
- ``viz`` and its renderers (``render_dot``, ``render_browser``): the Graphviz drawings;
- ``widgets``: the notebooks' sliders, walkthroughs, labs and self-checks; ``magic``: ``%%walkthrough``;
- ``data``: the lecture's CGPA → placement table.

The short names the notebooks use (``minigrad.viz``, ``minigrad.widgets``, ``minigrad.trace``,
``minigrad.data``, ``minigrad.expr``) are the same modules as these.
"""
