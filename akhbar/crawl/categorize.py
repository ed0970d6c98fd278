"""Map a feed entry's own categories onto the site's categories; the table is data, not branches."""

import unicodedata

# Words outlets use in their feeds' <category> elements, folded (no accents, lower case),
# mapped to our category slugs. Arabic and Spanish words are here too.
CATEGORY_WORDS: dict[str, str] = {
    "politique": "politique", "politics": "politique", "politica": "politique", "سياسة": "politique",
    "economie": "economie", "economy": "economie", "business": "economie", "finance": "economie",
    "economia": "economie", "اقتصاد": "economie",
    "societe": "societe", "society": "societe", "sociedad": "societe", "مجتمع": "societe",
    "sport": "sport", "sports": "sport", "deportes": "sport", "football": "sport", "رياضة": "sport",
    "culture": "culture", "cultura": "culture", "arts": "culture", "ثقافة": "culture",
    "monde": "monde", "international": "monde", "world": "monde", "mundo": "monde", "دولي": "monde",
    "regions": "regions", "regional": "regions", "جهات": "regions",
    "technologie": "technologie", "tech": "technologie", "technology": "technologie", "tecnologia": "technologie",
}


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def category_for(entry_categories: tuple[str, ...] | list[str]) -> str | None:
    """The first of the entry's categories that we know, as our slug; None when none is known."""
    for name in entry_categories:
        for word in [fold(name)] + fold(name).replace("/", " ").split():
            if word in CATEGORY_WORDS:
                return CATEGORY_WORDS[word]
    return None
