"""Two languages for every word a widget or a drawing shows: English (the default) and Hinglish.

The course's students learned autograd in Hinglish (Roman script, Hindi sentence structure, technical
words in English). Every phrase a student reads is written in English in the code, marked with ``_()``::

    from .i18n import gettext as _
    button.description = _("Reset")
    text = _("at w = {w}, b = {b}").format(w=..., b=...)   # numbers go in after translating

and looked up, *when it is shown*, in the catalogue of the language chosen with :func:`set_language`, so
a toggle on a widget changes it live. Numbers, formulas and code are never in a phrase: they are filled in
with ``str.format`` after the lookup (a test checks that a translation keeps every ``{placeholder}``).

The catalogue is the standard library's gettext: ``locale/hi_Latn/LC_MESSAGES/minigrad.po`` (a plain
text file that translators edit, one ``msgid``/``msgstr`` pair a phrase). ``hi_Latn`` is CLDR's locale
for Hindi written in the Latin script, i.e. Hinglish (CLDR 43 added it; glibc would spell it
``hi@latin``). The ``.po`` is the only source: it is compiled to gettext's binary ``.mo`` form in memory
on first use (:func:`compile_po`, standard library only) and read by :class:`gettext.GNUTranslations`,
so there is no build step and nothing to keep in sync: ``pip install .`` ships the ``.po`` as package
data and it works the same in Pyodide (the in-browser site).

A phrase missing from the catalogue (or with an empty ``msgstr``) is shown in English;
``tests/test_i18n.py`` fails when any ``_()`` phrase in the teaching layer lacks its Hinglish.
"""

import ast
import contextlib
import io
import pathlib
import struct
import weakref
from gettext import GNUTranslations

LOCALE_DIR = pathlib.Path(__file__).resolve().parent / "locale"
DOMAIN = "minigrad"  # the widgets' and drawings' phrases (marked with _() in the code)
LESSONS = "lessons"  # the lessons' own sentences that live in code cells: self-checks' questions, hints, answers
LANGUAGES = {"english": None, "hinglish": "hi_Latn"}  # language name -> gettext locale (None: the source text)
LABELS = {"english": "English", "hinglish": "Hinglish"}  # how a toggle names each language (never translated)

_language = "english"
_translations = {}  # locale -> gettext.GNUTranslations, compiled once
_listeners = []  # weak references to callables run after the language changes


def language():
    """The language every widget speaks now: ``"english"`` or ``"hinglish"``."""
    return _language


def set_language(name):
    """Choose the language of every widget and drawing (``"english"`` or ``"hinglish"``).

    Widgets already on the screen redraw themselves in it (they listen with :func:`on_change`).
    """
    global _language
    key = str(name).strip().lower()
    if key not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(map(repr, LANGUAGES))}, not {name!r}")
    if key == _language:
        return
    _language = key
    for ref in list(_listeners):
        callback = ref()
        if callback is None:
            _listeners.remove(ref)
        else:
            callback()


@contextlib.contextmanager
def in_english():
    """English inside the block (for a text that must read the same in every language: an exception's str());
    nothing on screen changes (the widgets are not told)."""
    global _language
    before, _language = _language, "english"
    try:
        yield
    finally:
        _language = before


def on_change(callback):
    """Call ``callback()`` after every language change; a bound method is held weakly (a widget that is
    gone is not kept alive by this list)."""
    ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else (lambda: callback)
    _listeners.append(ref)
    return callback


def translations(locale, domain=DOMAIN):
    """The gettext catalogue of ``locale`` (compiled from its ``.po`` on first use)."""
    if (locale, domain) not in _translations:
        path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
        catalogue = read_po(path.read_text(encoding="utf-8")) if path.exists() else {}
        _translations[locale, domain] = GNUTranslations(io.BytesIO(compile_po(catalogue)))
    return _translations[locale, domain]


def gettext(message):
    """``message`` (English) in the current language; English when it has no translation.

    The modules import it as ``_`` (gettext's convention: ``from .i18n import gettext as _``), which is
    what ``tools/catalogues.py`` looks for."""
    locale = LANGUAGES[_language]
    return message if locale is None else translations(locale).gettext(message)


_ = gettext


def ngettext(singular, plural, count):
    """The singular or plural phrase for ``count``, in the current language."""
    locale = LANGUAGES[_language]
    if locale is None:
        return singular if count == 1 else plural
    return translations(locale).ngettext(singular, plural, count)


def lesson_text(message):
    """A lesson's own sentence in the current language: a self-check's question, hint, answers or explanation.

    These are written in the English notebook's code cells (``check("What is x.grad at x = 3?", 6, ...)``),
    which the Hinglish twin runs unchanged; their Hinglish is in the ``lessons`` catalogue (package data,
    so it works in Pyodide too), extracted from the notebooks by ``tools/catalogues.py --lessons``.
    """
    locale = LANGUAGES[_language]
    return message if locale is None or not isinstance(message, str) else \
        translations(locale, LESSONS).gettext(message)


def N_(message):
    """Marks a phrase for the catalogue where it is defined (a constant); ``_()`` translates it where shown."""
    return message


# ------------------------------------------------------------------------- the .po format, standard library only
def read_po(text):
    """The ``.po`` text as {msgid: msgstr}; a plural entry as {(singular, plural): [msgstr[0], msgstr[1]]}.

    Entries with an empty msgstr are left out (they fall back to English), and so are entries marked
    ``#, fuzzy`` (a guess from an older English text, not yet reviewed), as gettext's msgfmt does.
    """
    catalogue, entry, field = {}, {}, None
    fuzzy = False

    def finish():
        nonlocal fuzzy
        if "msgid" in entry and not fuzzy:
            if "msgid_plural" in entry:
                forms = [entry.get(f"msgstr[{i}]", "") for i in range(2)]
                if all(forms):
                    catalogue[(entry["msgid"], entry["msgid_plural"])] = forms
            elif entry.get("msgstr") or entry["msgid"] == "":
                catalogue[entry["msgid"]] = entry.get("msgstr", "")
        entry.clear()
        fuzzy = False

    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#,") and "fuzzy" in line:
            if any(key.startswith("msgstr") for key in entry):
                finish()  # the flag belongs to the next entry
            fuzzy = True
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            entry[field] += ast.literal_eval(line)
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword in ("msgid", "msgctxt") and any(key.startswith("msgstr") for key in entry):
            finish()  # a new entry begins
        field = keyword
        entry[field] = ast.literal_eval(rest)
    finish()
    return catalogue


def compile_po(catalogue):
    """gettext's ``.mo`` bytes for {msgid: msgstr} (as :func:`read_po` gives): what GNUTranslations reads."""
    catalogue = dict(catalogue)
    catalogue.setdefault("", "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n")
    pairs = []
    for key, value in catalogue.items():
        if isinstance(key, tuple):
            pairs.append(("\0".join(key).encode(), "\0".join(value).encode()))
        else:
            pairs.append((key.encode(), value.encode()))
    pairs.sort()
    count, header = len(pairs), 7 * 4
    ids_at, strs_at = header, header + 8 * len(pairs)
    data_at = strs_at + 8 * len(pairs)
    table_ids, table_strs, blob = [], [], b""
    for original, _translated in pairs:
        table_ids.append((len(original), data_at + len(blob)))
        blob += original + b"\0"
    for _original, translated in pairs:
        table_strs.append((len(translated), data_at + len(blob)))
        blob += translated + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_at, strs_at, 0, data_at)
    out += b"".join(struct.pack("<2I", *pair) for pair in table_ids)
    out += b"".join(struct.pack("<2I", *pair) for pair in table_strs)
    return out + blob
