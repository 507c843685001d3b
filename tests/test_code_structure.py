"""The shape of the code, read from the code itself (its syntax trees), not from a list kept by hand.

* No module uses another module's private names (``from .trace import _title``, ``engine._run_node``):
  what one module needs from another is public, and documented there.
* The library (everything in ``minigrad/`` outside ``minigrad/teaching/``) imports nothing of the
  teaching layer. The only doors are documented ones: the one-line alias modules that keep the
  notebooks' names (``minigrad.viz`` is ``minigrad.teaching.viz``) and ``load_ipython_extension``
  (``%load_ext minigrad``), which import it when asked.
* No import cycle between modules, counting imports inside functions too (a lazy import that
  closes a cycle is still a cycle for a reader).
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "minigrad"
TEACHING = "minigrad.teaching"


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def is_package(name):
    return MODULES[name].name == "__init__.py"


def resolve(importer, level, target):
    """The absolute name of ``from <level dots><target> import ...`` written in module ``importer``."""
    if level == 0:
        return target
    base = importer.split(".")
    base = base if is_package(importer) else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports(name):
    """(imported module, the names taken from it or None, line, the function it is in or None) for every import."""
    tree = ast.parse(MODULES[name].read_text())
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inside = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Import):
                found.extend((alias.name, None, child.lineno, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                source = resolve(name, child.level, child.module)
                for alias in child.names:
                    submodule = f"{source}.{alias.name}"
                    if submodule in MODULES:  # from . import engine: the module engine itself
                        found.append((submodule, None, child.lineno, function))
                    else:
                        found.append((source, alias.name, child.lineno, function))
            visit(child, inside)

    visit(tree, None)
    return found


def module_aliases(name):
    """Local names bound to minigrad modules (``from . import engine``, ``import minigrad.ops as ops``)."""
    tree = ast.parse(MODULES[name].read_text())
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = resolve(name, node.level, node.module)
            for alias in node.names:
                if f"{source}.{alias.name}" in MODULES:
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES and alias.asname:
                    aliases[alias.asname] = alias.name
    return aliases


def is_private(attribute):
    """``_name``; not ``__dunder__``, nor ``_`` itself: gettext's name for "translate this" (teaching.i18n)."""
    return attribute.startswith("_") and attribute != "_" and not attribute.startswith("__")


def test_no_module_uses_another_modules_private_names():
    uses = []
    for name in MODULES:
        for source, taken, line, _ in imports(name):
            if source in MODULES and source != name and taken is not None and is_private(taken):
                uses.append(f"{name}:{line} imports {source}.{taken}")
        aliases = module_aliases(name)
        for node in ast.walk(ast.parse(MODULES[name].read_text())):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and is_private(node.attr)):
                uses.append(f"{name}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert not uses, "make what is needed public (and document it):\n" + "\n".join(uses)


def alias_module(name):
    """A one-line alias module (minigrad.viz is minigrad.teaching.viz): it replaces itself in sys.modules."""
    return "sys.modules[__name__] =" in MODULES[name].read_text()


def test_the_library_imports_nothing_of_the_teaching_layer():
    library = [name for name in MODULES if not name.startswith(TEACHING) and not alias_module(name)]
    assert "minigrad.ops" in library and "minigrad.autograd.engine" in library
    reaching = [f"{name}:{line} imports {source}" for name in library
                for source, _, line, function in imports(name)
                if source.startswith(TEACHING) and function != "load_ipython_extension"]
    assert not reaching, "\n".join(reaching)


def import_cycles():
    """Every cycle of imports between minigrad's modules, each as "a -> b -> a"."""
    graph = {name: sorted({source for source, _, _, _ in imports(name)
                           if source in MODULES and source != name and not source.startswith(f"{name}.")})
             for name in MODULES}
    cycles, state = [], {}  # state: name -> "open" while on the path, "done" after
    for start in graph:  # depth first with an explicit stack (the house rule: no recursion)
        if start in state:
            continue
        state[start], path, stack = "open", [start], [(start, iter(graph[start]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = "done"
            elif state.get(child) == "open":
                cycles.append(" -> ".join(path[path.index(child):] + [child]))
            elif child not in state:
                state[child] = "open"
                path.append(child)
                stack.append((child, iter(graph[child])))
    return cycles


def test_no_import_cycle_in_the_library():
    cycles = [cycle for cycle in import_cycles() if TEACHING not in cycle]
    assert not cycles, "\n".join(cycles)


def test_no_import_cycle_in_the_teaching_layer():
    cycles = [cycle for cycle in import_cycles() if TEACHING in cycle]
    assert not cycles, "\n".join(cycles)


READING_PATH = PACKAGE.parent / "docs" / "reading-the-code.md"


def test_the_reading_paths_line_references_point_at_what_they_name():
    """docs/reading-the-code.md links lines of the code: each link is followed by the name in
    backticks that the line must hold (`run_backward`), so the page cannot drift from the code."""
    import re

    text = READING_PATH.read_text()
    links = re.findall(r"\]\(\.\./(minigrad/[^)#]+)#L(\d+)\)[^`]{0,40}`([^`]+)`", text)
    assert len(links) >= 10
    wrong = []
    for path, line, name in links:
        source = (PACKAGE.parent / path).read_text().splitlines()
        if name not in source[int(line) - 1]:
            places = [number for number, code in enumerate(source, 1) if name in code]
            wrong.append(f"{path}#L{line} does not hold {name!r} (it is on line {places[:3]})")
    assert not wrong, "\n".join(wrong)
