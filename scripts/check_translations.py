"""Fail when the English catalogue is incomplete, so an English reader never meets Indonesian.

Regenerates the catalogues from the code and templates (as `make messages` does), then checks
``locale/en/LC_MESSAGES/django.po``: every message translated, none marked fuzzy, and the committed
``django.mo`` compiled from it (the site reads the .mo; a stale one shows the old text).

    .venv/bin/python scripts/check_translations.py              # regenerate, then check
    .venv/bin/python scripts/check_translations.py --no-update  # check the files as they are

Exits 1 and names each message that needs work; 0 when the catalogue is complete. Regenerating
needs the GNU gettext tools (xgettext, msgmerge, msgfmt); ``--no-update`` needs only Python.
"""

import argparse
import ast
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LANGUAGES = ["id", "en"]
# Only languages other than the source language must be fully translated.
CHECKED = ["en"]
IGNORED = [".venv", "tests", "bench", "scripts", "docs"]


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def fuzzy(self):
        return "fuzzy" in self.flags

    @property
    def translated(self):
        return bool(self.msgstr) and all(self.msgstr)

    @property
    def key(self):
        """The key msgfmt writes into a .mo file for this entry."""
        key = self.msgid if self.msgid_plural is None else f"{self.msgid}\0{self.msgid_plural}"
        return key if self.msgctxt is None else f"{self.msgctxt}\x04{key}"

    def where(self):
        return self.references[0] if self.references else "?"


def read_po(path):
    """The live entries of a PO file, header excluded. Obsolete (#~) entries are skipped."""
    entries, entry, last = [], Entry(), None

    def finish():
        nonlocal entry, last
        if entry.msgid or entry.msgstr:
            entries.append(entry)
        entry, last = Entry(), None

    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if last == "msgstr":
                entry.msgstr[-1] += value
            else:
                setattr(entry, last, getattr(entry, last) + value)
        else:
            keyword, _, value = line.partition(" ")
            value = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                entry.msgstr.append(value)
                last = "msgstr"
            elif keyword in ("msgid", "msgid_plural", "msgctxt"):
                setattr(entry, keyword, value)
                last = keyword
            else:
                raise ValueError(f"{path}: cannot read {raw!r}")
    finish()
    return [e for e in entries if e.msgid]


def read_mo(path):
    """{key: translation} from a GNU .mo file, header excluded; plural forms joined by NUL."""
    data = Path(path).read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    count, originals, translations = struct.unpack(order + "3I", data[8:20])

    def string(table, i):
        length, offset = struct.unpack_from(order + "2I", data, table + 8 * i)
        return data[offset : offset + length].decode("utf-8")

    pairs = ((string(originals, i), string(translations, i)) for i in range(count))
    return {key: text for key, text in pairs if key}


def problems(language, locale_dir=BASE_DIR / "locale"):
    """What keeps ``language``'s catalogue from being complete, one line each."""
    po = locale_dir / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not po.exists():
        return [f"{po}: missing"]
    entries = read_po(po)
    found = []
    for entry in entries:
        if entry.fuzzy:
            found.append(f"{po}: fuzzy ({entry.where()}): {entry.msgid!r}")
        elif not entry.translated:
            found.append(f"{po}: untranslated ({entry.where()}): {entry.msgid!r}")
    if not mo.exists():
        return [*found, f"{mo}: missing; run manage.py compilemessages"]
    expected = {e.key: "\0".join(e.msgstr) for e in entries if e.translated and not e.fuzzy}
    if read_mo(mo) != expected:
        found.append(f"{mo}: not compiled from the current {po.name}; run compilemessages")
    return found


def regenerate():
    ignores = [f"--ignore={pattern}" for pattern in IGNORED]
    languages = [arg for code in LANGUAGES for arg in ("-l", code)]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *languages, *ignores, "-v", "0"],
        cwd=BASE_DIR,
        check=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--no-update", action="store_true", help="check the catalogues without regenerating them"
    )
    args = parser.parse_args(argv)
    if not args.no_update:
        regenerate()
    found = [problem for language in CHECKED for problem in problems(language)]
    for problem in found:
        print(problem)
    for language in CHECKED:
        po = BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
        if not po.exists():
            continue
        entries = read_po(po)
        done = sum(1 for e in entries if e.translated and not e.fuzzy)
        print(f"{language}: {done} of {len(entries)} messages translated")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
