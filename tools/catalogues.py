"""The Hinglish catalogues: find every phrase the teaching layer shows, and keep the ``.po`` file in step.

    python tools/catalogues.py          # add new phrases (empty msgstr) to the .po, drop phrases gone from the code
    python tools/catalogues.py --check  # list phrases without Hinglish, and stale ones (exit 1 if any)

A phrase is a string literal passed to ``_()``, ``N_()`` or ``ngettext()`` in ``minigrad/teaching``
(found with :mod:`ast`, so it sees exactly what the code says). The catalogue is
``minigrad/teaching/locale/hi_Latn/LC_MESSAGES/minigrad.po`` (see ``minigrad/teaching/i18n.py``);
translators edit its ``msgstr`` lines, and ``tests/test_i18n.py`` fails while any is empty.
The notebooks' catalogues (``notebooks/hinglish/po/``) are written by ``tools/hinglish_notebooks.py``
with :func:`write_po` too.
"""

import argparse
import ast
import difflib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from minigrad.teaching import i18n  # noqa: E402

TEACHING = ROOT / "minigrad" / "teaching"
WIDGET_PO = i18n.LOCALE_DIR / "hi_Latn" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MARKERS = {"_": 1, "N_": 1, "ngettext": 2}  # the function and how many leading string arguments are phrases
NOTEBOOKS = ROOT / "notebooks"
LESSONS_PO = i18n.LOCALE_DIR / "hi_Latn" / "LC_MESSAGES" / f"{i18n.LESSONS}.po"
TEXT_CALLS = ("check", "choice")  # self-checks: every string in their arguments is a sentence of the lesson


def extract(folder=TEACHING):
    """{phrase: ["file:line", ...]} in the order the code has them; a plural phrase is (singular, plural)."""
    phrases = {}
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in sorted(ast.walk(tree), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in MARKERS:
                continue
            args = node.args[:MARKERS[name]]
            if len(args) < MARKERS[name] or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                    for a in args):
                continue  # _(variable): the phrase was marked where it was defined (N_)
            key = args[0].value if len(args) == 1 else tuple(a.value for a in args)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            phrases.setdefault(key, []).append(where)
    return phrases


def code_of(source):
    """A code cell's Python (IPython's %magic and !shell lines left out), or None if it is not Python."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def extract_lessons(folder=NOTEBOOKS):
    """{sentence: ["NAME.ipynb cell N", ...]}: every string in a ``check(...)`` or ``choice(...)`` call of the
    English notebooks' code cells (questions, answers to pick from, hints, explanations)."""
    sentences = {}
    for path in sorted(folder.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for number, cell in enumerate(cells, 1):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            tree = code_of(source) if cell["cell_type"] == "code" else None
            if tree is None:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) in TEXT_CALLS:
                    for argument in [*node.args, *(k.value for k in node.keywords)]:
                        for part in ast.walk(argument):
                            if isinstance(part, ast.Constant) and isinstance(part.value, str) and part.value.strip():
                                sentences.setdefault(part.value, []).append(f"{path.name} cell {number}")
    return sentences


def with_suggestions(phrases, known, old):
    """The .po entries for ``phrases``: the known Hinglish, else (like msgmerge) the Hinglish of the most similar
    phrase that is gone from the code, marked ``#, fuzzy`` (unused until a translator reviews it)."""
    entries = []
    for key, where in phrases.items():
        comments = [f"#: {' '.join(where)}"] if not isinstance(where, str) else [where]
        msgstr = known.get(key)
        if msgstr is None and isinstance(key, str):
            close = difflib.get_close_matches(key, [k for k in old if isinstance(k, str)], n=1, cutoff=0.6)
            if close:
                msgstr = old[close[0]]
                comments.append("#, fuzzy")
        entries.append((key, msgstr, comments))
    return entries


def _quoted(text):
    """A .po string: one quoted line, or "" then one line per line of the text."""
    def quote(part):
        return '"' + part.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'

    lines = text.splitlines(keepends=True)
    if len(lines) <= 1:
        return quote(text)
    return '""\n' + "\n".join(quote(line) for line in lines)


def read_obsolete(path):
    """The ``#~`` entries of a .po: phrases the code or the English no longer has, with their old Hinglish."""
    if not path.exists():
        return {}
    lines = [line[3:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#~ ")]
    return i18n.read_po("\n".join(lines))


def write_po(path, entries, header_comment, obsolete=None):
    """Write ``entries`` ([(msgid, msgstr, comments)]) as a .po file; a plural msgid is (singular, plural)
    with msgstr [form 0, form 1]. ``comments`` are lines put above the entry (``#:`` references, ``#.`` notes).
    ``obsolete`` ({msgid: msgstr}) goes at the end as ``#~`` entries (gettext's way of keeping an old
    translation for a translator to reuse; nothing reads them at run time)."""
    out = [f"# {line}".rstrip() for line in header_comment.splitlines()]
    out += ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
            '"Language: hi_Latn\\n"', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', ""]
    for msgid, msgstr, comments in entries:
        out += list(comments)
        if isinstance(msgid, tuple):
            out += [f"msgid {_quoted(msgid[0])}", f"msgid_plural {_quoted(msgid[1])}"]
            forms = msgstr or ["", ""]
            out += [f"msgstr[{i}] {_quoted(form)}" for i, form in enumerate(forms)]
        else:
            out += [f"msgid {_quoted(msgid)}", f"msgstr {_quoted(msgstr or '')}"]
        out.append("")
    for msgid, msgstr in (obsolete or {}).items():
        if isinstance(msgid, tuple):
            continue
        out += ["#~ " + line for line in f"msgid {_quoted(msgid)}".splitlines()]
        out += ["#~ " + line for line in f"msgstr {_quoted(msgstr)}".splitlines()] + [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


WIDGET_HEADER = """Hinglish (hi_Latn) for every phrase the widgets and drawings of minigrad-lab show.
Roman script, Hindi sentence structure, technical words in English, as the course's lecture speaks.
Keep every {placeholder} as it is (numbers, formulas and code go in there, untranslated).
Updated by `python tools/catalogues.py`; tests/test_i18n.py fails while a msgstr is empty."""


LESSONS_HEADER = """Hinglish (hi_Latn) for the lessons' sentences that are written inside code cells: the self-checks'
questions, answers to choose from, hints and explanations (check(...) and choice(...) in notebooks/*.ipynb).
The Hinglish twin runs the English code unchanged; check() and choice() show these when the language is Hinglish.
Numbers, formulas and code stay as they are. Updated by `python tools/catalogues.py`."""

DOMAINS = {"widgets": (WIDGET_PO, extract, WIDGET_HEADER), "lessons": (LESSONS_PO, extract_lessons, LESSONS_HEADER)}


def update(domain="widgets"):
    """Bring a .po in step with the code; returns (new phrases, dropped phrases)."""
    path, find, header = DOMAINS[domain]
    known = i18n.read_po(path.read_text(encoding="utf-8")) if path.exists() else {}
    phrases = find()
    old = read_obsolete(path)
    old.update((k, v) for k, v in known.items() if k and k not in phrases)
    known.update((k, old.pop(k)) for k in list(old) if k in phrases)  # a phrase that came back
    write_po(path, with_suggestions(phrases, known, old), header, obsolete=old)
    return [k for k in phrases if k not in known], list(old)


def problems(domain="widgets"):
    """(phrases in the code without Hinglish, phrases in the .po the code no longer has)."""
    path, find, _header = DOMAINS[domain]
    known = i18n.read_po(path.read_text(encoding="utf-8")) if path.exists() else {}
    phrases = find()
    return [k for k in phrases if k not in known], [k for k in known if k and k not in phrases]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if something is missing or stale")
    args = parser.parse_args(argv)
    failed = False
    for domain in DOMAINS:
        missing, stale = problems(domain) if args.check else update(domain)
        for key in missing:
            print(f"{domain}: no Hinglish yet: {key!r}")
        for key in stale:
            print(f"{domain}: {'stale' if args.check else 'dropped'}: {key!r}")
        failed = failed or bool(missing or stale)
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
