"""The interface's catalogues: every message translated, every placeholder kept, in ar, es and en."""

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "akhbar" / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def test_every_edition_but_french_has_a_catalogue():
    assert {path.parts[-3] for path in CATALOGUES} == {"ar", "es", "en"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_message_is_translated_with_its_placeholders(path):
    catalogue = polib.pofile(str(path))
    missing = [entry.msgid for entry in catalogue if not entry.translated() or "fuzzy" in entry.flags]
    assert not missing, f"{path.parts[-3]}: translate these (then `make messages`): {missing}"
    for entry in catalogue:
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in (entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]):
            found = sorted(PLACEHOLDER.findall(text))
            # Arabic plural forms may leave the number out ("وسيلتا إعلام": two outlets): a subset is fine.
            assert set(found) <= set(wanted) and (entry.msgid_plural or found == wanted), (entry.msgid, text)
