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
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from minigrad.teaching import i18n  # noqa: E402

TEACHING = ROOT / "minigrad" / "teaching"
WIDGET_PO = i18n.LOCALE_DIR / "hi_Latn" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MARKERS = {"_": 1, "N_": 1, "ngettext": 2}  # the function and how many leading string arguments are phrases


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


def _quoted(text):
    """A .po string: one quoted line, or "" then one line per line of the text."""
    def quote(part):
        return '"' + part.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'

    lines = text.splitlines(keepends=True)
    if len(lines) <= 1:
        return quote(text)
    return '""\n' + "\n".join(quote(line) for line in lines)


def write_po(path, entries, header_comment):
    """Write ``entries`` ([(msgid, msgstr, comments)]) as a .po file; a plural msgid is (singular, plural)
    with msgstr [form 0, form 1]. ``comments`` are lines put above the entry (``#:`` references, ``#.`` notes)."""
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


WIDGET_HEADER = """Hinglish (hi_Latn) for every phrase the widgets and drawings of minigrad-lab show.
Roman script, Hindi sentence structure, technical words in English, as the course's lecture speaks.
Keep every {placeholder} as it is (numbers, formulas and code go in there, untranslated).
Updated by `python tools/catalogues.py`; tests/test_i18n.py fails while a msgstr is empty."""


def update(path=WIDGET_PO):
    """Bring the .po in step with the code; returns (new phrases, dropped phrases)."""
    known = i18n.read_po(path.read_text(encoding="utf-8")) if path.exists() else {}
    phrases = extract()
    entries = [(key, known.get(key), [f"#: {' '.join(where)}"]) for key, where in phrases.items()]
    write_po(path, entries, WIDGET_HEADER)
    return [k for k in phrases if k not in known], [k for k in known if k and k not in phrases]


def problems(path=WIDGET_PO):
    """(phrases in the code without Hinglish, phrases in the .po the code no longer has)."""
    known = i18n.read_po(path.read_text(encoding="utf-8")) if path.exists() else {}
    phrases = extract()
    return [k for k in phrases if k not in known], [k for k in known if k and k not in phrases]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if something is missing or stale")
    args = parser.parse_args(argv)
    missing, stale = problems() if args.check else update()
    for key in missing:
        print(f"no Hinglish yet: {key!r}")
    for key in stale:
        print(f"{'stale' if args.check else 'dropped'}: {key!r}")
    return 1 if args.check and (missing or stale) else 0


if __name__ == "__main__":
    sys.exit(main())
