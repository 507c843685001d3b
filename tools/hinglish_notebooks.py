"""Write the Hinglish twin of every lesson: one source (the English notebook), two languages.

    python tools/hinglish_notebooks.py --update-po     # bring each lesson's catalogue in step with its English text
    python tools/hinglish_notebooks.py                 # write and execute notebooks/hinglish/*.ipynb
    python tools/hinglish_notebooks.py 01_square.ipynb --no-execute

The English notebook ``notebooks/NAME.ipynb`` stays the only source of the code. Its Hinglish text lives in a
gettext catalogue per lesson, ``notebooks/hinglish/po/NAME.po``: one entry per English markdown cell, the
whole cell as ``msgid`` and its Hinglish as ``msgstr``. When the English text changes, ``--update-po`` adds
the new cell (empty ``msgstr``) and keeps the old translation beside it as an obsolete ``#~`` entry, so the
translator sees what changed; an English cell without its Hinglish stops the build (a twin never shows an
English paragraph).

The twin ``notebooks/hinglish/NAME.ipynb`` is the English notebook's cells with each markdown cell replaced by
its Hinglish, after two cells of its own: ``set_language("hinglish")`` (every widget then speaks Hinglish)
and a line linking the glossary (``docs/glossary.md``, copied beside the twins as ``glossary.md`` so that
JupyterLab opens it from the file browser) and the English twin. Code cells, their tags and so their nbval
checks are the English ones, unchanged; ``make notebooks`` executes both sets, and
``tests/test_hinglish_notebooks.py`` proves the code and the checked outputs equal.
"""

import argparse
import copy
import pathlib
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import catalogues  # noqa: E402
import execute_notebooks  # noqa: E402

from minigrad.teaching import i18n  # noqa: E402

ENGLISH = ROOT / "notebooks"
HINGLISH = ENGLISH / "hinglish"
PO = HINGLISH / "po"
GLOSSARY = ROOT / "docs" / "glossary.md"
FIRST_CELLS = 2  # the twin's own cells in front: set_language, then the links

LANGUAGE_CELL = ('from minigrad.widgets import set_language\n'
                 'set_language("hinglish")  # ab har widget aur drawing Hinglish mein bolega')


def links_cell(name):
    return (f"> **Hinglish mein** · shabdon ke liye [glossary](glossary.md) dekho (term | Hinglish mein | code "
            f"mein) · yahi lesson [English mein](../{name}) · widgets par **English / Hinglish** button se "
            f"language kabhi bhi badal sakte hain.")


def po_path(name):
    return PO / (pathlib.Path(name).stem + ".po")


def english_texts(notebook):
    """The English markdown cells' sources, in order (each is one msgid)."""
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


def read_catalogue(name):
    path = po_path(name)
    return i18n.read_po(path.read_text(encoding="utf-8")) if path.exists() else {}


PO_HEADER = """Hinglish for the text of notebooks/{name}: one entry per English markdown cell (msgid = the cell).
Written as the course speaks: Roman script, Hindi sentence structure, technical words in English.
Formulas ($...$), code (`...`) and numbers stay exactly as in the English.
`python tools/hinglish_notebooks.py --update-po` adds new cells (a changed cell gets its old Hinglish, marked
"#, fuzzy": update it, then delete that line); old ones stay below as #~ entries."""


def update_po(name):
    """Bring ``po/NAME.po`` in step with the English notebook; returns (cells without Hinglish, obsolete cells)."""
    notebook = nbformat.read(ENGLISH / name, as_version=4)
    path = po_path(name)
    known = read_catalogue(name)
    texts = english_texts(notebook)
    old = catalogues.read_obsolete(path)
    old.update((msgid, msgstr) for msgid, msgstr in known.items() if msgid and msgid not in texts)
    known.update((msgid, old.pop(msgid)) for msgid in list(old) if msgid in texts)  # a text that came back
    cells = {}
    for number, text in enumerate(texts, 1):
        cells.setdefault(text, f"#. markdown cell {number}")
    # a changed cell starts from the Hinglish of its old text, marked fuzzy: the build refuses it until reviewed
    catalogues.write_po(path, catalogues.with_suggestions(cells, known, old), PO_HEADER.format(name=name),
                        obsolete=old)
    return [t for t in texts if t not in known], list(old)


def twin(name, folder=ENGLISH):
    """The Hinglish notebook of ``folder/name`` (not executed); raises if an English cell has no Hinglish."""
    english = nbformat.read(folder / name, as_version=4)
    catalogue = read_catalogue(name)
    missing = [text for text in english_texts(english) if text not in catalogue]
    if missing:
        raise SystemExit(f"{name}: {len(missing)} markdown cells without Hinglish in {po_path(name).relative_to(ROOT)}"
                         f" (run --update-po, then fill msgstr); first: {missing[0][:80]!r}")
    notebook = copy.deepcopy(english)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = catalogue[cell.source]
    first = nbformat.v4.new_code_cell(LANGUAGE_CELL)
    first.id = "hinglish-language"
    first.metadata["tags"] = ["hinglish-language"]
    links = nbformat.v4.new_markdown_cell(links_cell(name))
    links.id = "hinglish-links"
    notebook.cells[:0] = [first, links]
    return notebook


def translated(names, folder=ENGLISH):
    """The lessons whose every English text cell has its Hinglish (the others are not translated yet)."""
    done = []
    for name in names:
        catalogue = read_catalogue(name)
        if all(text in catalogue for text in english_texts(nbformat.read(folder / name, as_version=4))):
            done.append(name)
        else:
            print(f"hinglish/{name}: not written, its Hinglish is not complete ({po_path(name).relative_to(ROOT)})")
    return done


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="English notebook names, with or without .ipynb (default: all)")
    parser.add_argument("--folder", type=pathlib.Path, default=ENGLISH,
                        help="where the English notebooks are (default: notebooks/); the twins go to FOLDER/hinglish")
    parser.add_argument("--update-po", action="store_true", help="refresh the catalogues from the English text")
    parser.add_argument("--no-execute", action="store_true", help="write the twins without running them")
    args = parser.parse_args(argv)
    every = [path.name for path in sorted(args.folder.glob("*.ipynb"))]
    chosen = [pathlib.Path(name).with_suffix(".ipynb").name for name in args.names]
    if args.update_po:
        for name in chosen or every:
            missing, old = update_po(name)
            print(f"{po_path(name).relative_to(ROOT)}: {len(missing)} cells without Hinglish, {len(old)} obsolete")
        return 0
    names = translated(chosen or every, args.folder)
    hinglish = args.folder / "hinglish"
    hinglish.mkdir(exist_ok=True)
    (hinglish / "glossary.md").write_text(GLOSSARY.read_text(encoding="utf-8"), encoding="utf-8")
    for name in names:
        path = hinglish / name
        nbformat.write(twin(name, args.folder), path)
        if args.no_execute:
            print(f"hinglish/{name}: written", flush=True)
        else:
            seconds = execute_notebooks.execute(path)
            print(f"hinglish/{name}: written and executed in {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
