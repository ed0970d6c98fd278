"""Fold text so that the reader's spelling does not matter: the same folding for documents and queries.

Latin: accents removed, case folded ("Société" → "societe"). Arabic: short vowels and other marks
(tashkeel) removed, tatweel removed, the alef forms أ إ آ ٱ made ا, ta marbuta ة made ه, alef maqsura ى
made ي. PostgreSQL's unaccent does only part of this, and SQLite has nothing like it, so both databases
index and query text folded here, in Python.
"""

import re
import unicodedata

ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case, accent-free, tashkeel-free text with Arabic letter variants unified."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    # NFKD splits آ and أ into ا plus a combining mark (removed above); the table catches the composed rest.
    return unicodedata.normalize("NFC", bare).translate(ARABIC_LETTERS)


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return WORD.findall(fold(text))
