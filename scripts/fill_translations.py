"""Developer tool: write translations given as a JSON file {lang: {msgid: text}} into the
catalogs (keeping everything else), clearing the fuzzy flag. Then run scripts/translations.

    .venv/bin/python scripts/fill_translations.py new.json
Context-bound messages are keyed "context\x04msgid", as gettext stores them.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "src" / "tentative" / "locale"

for language, texts in json.loads(Path(sys.argv[1]).read_text()).items():
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as f:
        catalog = read_po(f)
    for key, text in texts.items():
        context, _, msgid = key.rpartition("\x04")
        message = catalog.get(msgid, context or None)
        if message is None:
            sys.exit(f"{language}: no such message: {key!r}")
        message.string = text
        message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False)
