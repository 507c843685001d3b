"""Two languages: every phrase the widgets show has its Hinglish, and a switch changes them live.

The phrases are found in the code (``_()``, ``N_()``, ``ngettext()`` calls, read with ``ast``) and
compared with the gettext catalogue ``minigrad/teaching/locale/hi_Latn/LC_MESSAGES/minigrad.po``.
"""

import gettext
import importlib.util
import io
import pathlib
import re
import string

import pytest

from minigrad.teaching import i18n

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("catalogues", ROOT / "tools" / "catalogues.py")
catalogues = importlib.util.module_from_spec(spec)
spec.loader.exec_module(catalogues)


@pytest.fixture
def hinglish():
    i18n.set_language("hinglish")
    yield
    i18n.set_language("english")


def _fields(text):
    return sorted(name for _text, name, _spec, _conv in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("domain", ["widgets", "lessons"])
def test_every_phrase_has_its_hinglish_and_none_is_stale(domain):
    """widgets: the _() phrases of the teaching layer; lessons: the self-checks' sentences in the notebooks' code."""
    missing, stale = catalogues.problems(domain)
    if domain == "lessons":  # a lesson whose Hinglish twin is pending has its self-checks pending too
        from test_hinglish_notebooks import PENDING

        where = catalogues.extract_lessons()
        missing = [k for k in missing if any(place.split(" cell ")[0] not in PENDING for place in where[k])]
    assert not missing, f"{len(missing)} phrases without Hinglish (run tools/catalogues.py, then fill msgstr): " \
                        f"{missing[:10]}"
    assert not stale, f"phrases in the .po that the code no longer has (run tools/catalogues.py): {stale[:10]}"


@pytest.mark.parametrize("domain", ["widgets", "lessons"])
def test_a_translation_keeps_every_placeholder_and_no_number_changes(domain):
    path = catalogues.DOMAINS[domain][0]
    catalogue = i18n.read_po(path.read_text(encoding="utf-8"))
    for msgid, msgstr in catalogue.items():
        if not msgid:
            continue
        pairs = zip(msgid, msgstr) if isinstance(msgid, tuple) else [(msgid, msgstr)]
        for english, hinglish in pairs:
            if domain == "widgets":
                assert _fields(english) == _fields(hinglish), (english, hinglish)
            # numbers, formulas and code are never translated: every digit run and code span the English has
            assert sorted(re.findall(r"\d+(?:\.\d+)?", english)) == sorted(re.findall(r"\d+(?:\.\d+)?", hinglish)), \
                (english, hinglish)


def test_the_catalogue_is_read_by_the_standard_library_gettext():
    mo = i18n.compile_po({"Reset": "Reset karo", ("{n} epoch", "{n} epochs"): ["{n} epoch", "{n} epochs"]})
    translations = gettext.GNUTranslations(io.BytesIO(mo))
    assert translations.gettext("Reset") == "Reset karo"
    assert translations.gettext("not there") == "not there"  # fallback: English
    assert translations.ngettext("{n} epoch", "{n} epochs", 2) == "{n} epochs"
    text = '# c\nmsgid ""\nmsgstr ""\n"Language: hi_Latn\\n"\n\nmsgid "a \\"b\\""\nmsgstr ""\n"x\\n"\n"y"\n'
    assert i18n.read_po(text)['a "b"'] == "x\ny"
    fuzzy = 'msgid "a"\nmsgstr "A"\n\n#, fuzzy\nmsgid "b"\nmsgstr "B"\n\nmsgid "c"\nmsgstr "C"\n'
    assert i18n.read_po(fuzzy) == {"a": "A", "c": "C"}  # a fuzzy guess is not used until reviewed


def test_english_is_the_default_and_an_unknown_language_is_refused():
    assert i18n.language() == "english"
    assert i18n._("Reset") == "Reset"
    with pytest.raises(ValueError, match="hinglish"):
        i18n.set_language("hindi")


def test_set_language_changes_the_widgets_on_screen_live():
    from minigrad.widgets import GradientLab, NeuronLab

    lab, neuron = GradientLab(), NeuronLab()
    english = (lab.again_button.description, neuron.reset_button.description, neuron.readout.value)
    try:
        neuron.language.value = "hinglish"  # the toggle on one widget switches every widget
        assert i18n.language() == "hinglish"
        assert lab.language.value == "hinglish"
        hinglish_words = (lab.again_button.description, neuron.reset_button.description, neuron.readout.value)
        assert all(h != e for h, e in zip(hinglish_words, english))
        assert "backward()" in lab.again_button.description  # code stays code
    finally:
        i18n.set_language("english")
    assert (lab.again_button.description, neuron.reset_button.description, neuron.readout.value) == english


def _english_sentences():
    """The catalogue's English phrases that differ from their Hinglish (their fixed words, placeholders cut)."""
    catalogue = i18n.read_po(catalogues.WIDGET_PO.read_text(encoding="utf-8"))
    pieces = set()
    for msgid, msgstr in catalogue.items():
        if not msgid or isinstance(msgid, tuple) or msgid == msgstr:
            continue
        for piece in re.split(r"\{[^}]*\}", msgid):
            piece = piece.strip(" :;,.()")
            if len(piece.split()) >= 3 and piece not in msgstr:  # an English phrase, not shared technical words
                pieces.add(piece)
    return pieces


def _texts(widget):
    """Every text a widget shows: HTML values, descriptions, and its children's."""
    out = []
    for name in ("value", "description"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            out.append(value)
    for child in getattr(widget, "children", ()):
        out += _texts(child)
    return out


def test_no_english_sentence_is_left_in_a_hinglish_widget(hinglish):
    from minigrad.widgets import GradientLab, NeuronLab

    lab = GradientLab()
    lab.no_grad_toggle.value = True
    lab.backward()  # the RuntimeError and the explanation in words
    lab.no_grad_toggle.value = False
    lab.backward()
    lab.backward_again()  # the second-backward refusal
    neuron = NeuronLab()
    neuron.train(3)
    shown = " ".join(_texts(lab) + _texts(neuron))
    left = [sentence for sentence in _english_sentences() if sentence in shown]
    assert not left, left


def test_the_wheel_ships_the_catalogue():
    text = (ROOT / "pyproject.toml").read_text()
    assert '"minigrad.teaching" = ["locale/*/LC_MESSAGES/*.po"]' in text
    assert catalogues.WIDGET_PO.is_relative_to(ROOT / "minigrad" / "teaching")


def test_a_refused_formula_reads_english_in_code_and_hinglish_in_a_widget(hinglish):
    from minigrad.teaching import expr
    from minigrad.teaching.widgets.guard import plain_words

    with pytest.raises(ValueError) as caught:
        expr.parse("__import__('os')")
    assert str(caught.value).startswith("calling __import__ is not allowed")  # as code and checked outputs read it
    assert caught.value.said().startswith("__import__ ko call karna allowed nahi hai")  # as a widget says it
    assert plain_words(caught.value) == caught.value.said()


def test_no_function_hides_the_translation_function_behind_a_local_underscore():
    """``for _ in ...`` or a parameter ``_`` inside a function that also calls ``_()`` would call the local."""
    import ast

    problems = []
    for path in (ROOT / "minigrad" / "teaching").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            local = {a.arg for a in function.args.args + function.args.kwonlyargs}
            body = function.body if isinstance(function.body, list) else [function.body]
            for node in (n for part in body for n in ast.walk(part)):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    local.add(node.id)
            calls = any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "_"
                        for part in body for n in ast.walk(part))
            if "_" in local and calls:
                problems.append(f"{path.name}:{function.lineno}")
    assert not problems, problems


def test_a_self_check_switches_language_live_verdict_included():
    from minigrad.teaching.widgets.check import Check, Choice, Scoreboard

    board = Scoreboard()
    box = Check("x.grad at x = 3?", 6, "2x = 6", scoreboard=board)
    pick = Choice("Which call fills x.grad?", ["y.backward()", "x.grad.zero_()"], 0, "backward() does.",
                  scoreboard=board)
    box.answer_box.value = "6"
    box.button.click()
    pick.picker.value = "y.backward()"
    assert "Right!" in box.verdict.value
    try:
        i18n.set_language("hinglish")
        assert "Sahi!" in box.verdict.value and "Right!" not in box.verdict.value
        assert box.answer_box.description == "aapka jawab"
        assert pick.picker.value == "y.backward()"  # relabelling keeps the student's pick
        pick.button.click()
        assert "Sahi!" in pick.verdict.value
    finally:
        i18n.set_language("english")
    assert "Right!" in pick.verdict.value


def test_function_plot_relabels_its_figure_when_the_language_changes():
    from minigrad.widgets import FunctionPlot, NeuronLab

    plot, lab = FunctionPlot("x**2", x=(-3, 3, 0.1, 2.0), inner=True), NeuronLab()
    english, english_lab = plot.readout.value, lab.svg
    assert ">tangent: slope from backward()<" in plot.svg and ">loss while training<" in lab.svg
    try:
        plot.language.value = "hinglish"
        assert ">tangent: slope backward() se aaya<" in plot.svg and "tangent: slope from" not in plot.svg
        assert ">andar wale functions, har ek x ke against<" in plot.svg
        assert "backward() se slope" in plot.readout.value and plot.readout.value != english
        assert ">training ke dauraan loss<" in lab.svg and ">placed nahi<" in lab.svg
        assert "while training" not in lab.svg
        assert lab.reset_button.description == "⟲ Reset karo"
    finally:
        i18n.set_language("english")
    assert plot.readout.value == english and lab.svg == english_lab


def test_every_rule_in_words_of_the_ops_table_is_in_the_catalogue():
    """ops.py (the library) writes each op's rule; the ones in words are listed in notation.RULE_WORDS."""
    import inspect

    from minigrad import ops
    from minigrad.teaching import notation

    worded = {cls.notation.text for _name, cls in inspect.getmembers(ops, inspect.isclass)
              if hasattr(getattr(cls, "notation", None), "text")
              and re.search(r"\b(back|where|else|if)\b", cls.notation.text)}
    assert worded <= set(notation.RULE_WORDS), worded - set(notation.RULE_WORDS)


def test_a_walkthrough_and_its_guess_mode_switch_language_live():
    from minigrad.widgets import Walkthrough

    walk = Walkthrough("exp(sin(x**2))", x=2.0)
    walk._set_step(5)
    english = walk.equation.value
    assert "the gradient arriving at" in english
    try:
        walk.language.value = "hinglish"
        assert walk.next_button.description == "Agla ▶"
        assert "par aaye gradient" in walk.equation.value and "the gradient arriving at" not in walk.equation.value
        assert walk.walk.steps[4].latex in walk.equation.value  # the equation itself is never translated
        assert "ab tak" in walk.table.value
        walk.guess_toggle.value = True
        verdict = walk.guess("abc")
        assert "number nahi jo main padh sakun" in verdict.message
    finally:
        i18n.set_language("english")
    walk.guess_toggle.value = False
    assert walk.equation.value == english
