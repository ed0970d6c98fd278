"""What a sentence encoder misses in a headline: its words, names across scripts, numbers, direction, kind, day.

Pure: no Django. Each function reads one title (and lead) and returns plain sets, so the engine compares
two articles with set operations only.
"""

import re
import unicodedata

from akhbar.crawl.normalize import split_title_tags
from akhbar.search.fold import fold

LEAD_CHARS = 300
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
SCORE = re.compile(r"\b(\d{1,2})\s*[-–:]\s*(\d{1,2})\b")
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-Ý][\w'’-]{2,}")
WORD = re.compile(r"[^\W\d_]+")
ARABIC = re.compile(r"[\u0600-\u06ff]")
ELISION = re.compile(r"^(?:l|d|j|qu|n|s|c|m|t)['’]", re.IGNORECASE)

# Short function words of our four languages: they say nothing about which event a headline tells.
STOPWORDS = frozenset(fold(w) for w in """
le la les un une des du de d l au aux et ou en dans sur sous pour par avec sans contre chez vers entre
ce cet cette ces son sa ses leur leurs qui que quoi dont est sont a ont été etre plus moins tres apres avant
pas ne se il elle ils elles on nous vous je selon comme lors depuis fait faire va vont tout tous toute
el la los las un una unos unas de del al y o en con sin por para sobre su sus que es son se lo le les mas
the a an of to in on at for with by from and or is are was were be been as its it this that after over
في من على إلى الى عن مع هذا هذه ذلك التي الذي الذين ان أن إن لا ما كان كانت بعد قبل بين حول خلال عبر
او أو ثم قد لم لن هو هي هم وقد كما منذ عند غير أي اي كل بعض حتى يوم امام أمام ضد دون تحت فوق
""".split())

# Prefixes and suffixes an Arabic word carries (conjunction, preposition, article; plural, pronoun).
ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و", "ف", "ب", "ل")
ARABIC_SUFFIXES = ("ات", "ون", "ين", "ان", "ها", "هم", "ه", "ي")
STEM_CHARS = 5  # Latin words are compared on their first five letters: "marocains" and "maroc" meet

DIRECTION = {
    "up": "hausse haussier augmente augmentation progresse progression grimpe bondit vert rebond "
          "ارتفاع يرتفع ترتفع مرتفعا صعود الاخضر الأخضر تحسن sube suben alza aumenta subida "
          "rise rises rising up gains higher climbs surge",
    "down": "baisse baissier recule recul chute chutent diminue diminution repli rouge "
            "انخفاض ينخفض تنخفض منخفضا تراجع يتراجع تتراجع هبوط الاحمر الأحمر baja bajan cae caen caida descenso "
            "fall falls falling down drops lower declines decline slump",
}
KIND = {
    "death": "deces décès décède décédé meurt mort morte deuil condoleances condoléances necrologie "
             "وفاة توفي توفيت تنعي ينعي نعي رحيل يرحل ترحل تعزية تعزيه عزاء "
             "muere murio fallece fallecio fallecimiento luto dies died death condolences obituary",
    "congratulation": "felicite félicite felicitations félicitations felicitent félicitent hommage_celebre "
                      "تهنئة يهنئ تهنئ برقية_تهنئة felicita felicitan enhorabuena congratulates congratulations",
}
WEEKDAYS = [
    "lundi lunes monday الاثنين الإثنين",
    "mardi martes tuesday الثلاثاء",
    "mercredi miercoles wednesday الاربعاء الأربعاء",
    "jeudi jueves thursday الخميس",
    "vendredi viernes friday الجمعة",
    "samedi sabado saturday السبت",
    "dimanche domingo sunday الاحد الأحد",
]


def _table(groups: dict[str, str]) -> dict[str, str]:
    return {fold(word): label for label, words in groups.items() for word in words.split()}


DIRECTION_WORDS = _table(DIRECTION)
KIND_WORDS = _table(KIND)
WEEKDAY_WORDS = _table({str(day): words for day, words in enumerate(WEEKDAYS)})

# Sound classes for names written in Latin or Arabic letters: "Akhannouch" and "أخنوش" both read K-N-S.
# The velars are one class (k, q, g, j; ك ق غ ج): Moroccan names write ڭ as g and as ك ("Regragui", "الركراكي").
# Vowels, h, w, y, the ayn and the hamza are dropped: each script writes them its own way, or not at all.
LATIN_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("dj", "g"), ("ch", "s"), ("sh", "s"), ("th", "t"), ("ph", "f"),
                  ("ou", ""), ("qu", "k"))
LATIN_CLASSES = str.maketrans("kqcgjszxtdbpfvlmnr", "kkkkksssttbbffLMNR", "aeiouyhw'’-")
LATIN_ARTICLE = re.compile(r"^(?:el-|al-|(?:el|al|l)(?=[bcdfgjklmnqrstvxz]))")  # "Lmcharki", "El-Othmani": the Arabic al-
ARABIC_CLASSES = str.maketrans({
    "ب": "b", "ت": "t", "ث": "t", "ج": "k", "ح": "", "خ": "k", "د": "t", "ذ": "s", "ر": "R", "ز": "s", "س": "s",
    "ش": "s", "ص": "s", "ض": "t", "ط": "t", "ظ": "s", "ع": "", "غ": "k", "ف": "f", "ق": "k", "ك": "k", "ل": "L",
    "م": "M", "ن": "N", "ه": "", "و": "", "ي": "", "ا": "", "ء": "", "ئ": "", "ؤ": "", "ى": "", "ة": "",
    "پ": "b", "ڤ": "f", "گ": "k", "ڭ": "k",
})
SKELETON_MIN = 3


def headline(title: str, lead: str = "") -> str:
    """Title without outlet tags, then the start of the lead: what every signal reads."""
    return f"{split_title_tags(title)[0]} {lead[:LEAD_CHARS]}".strip()


def fold_word(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))


def _digits(text: str) -> str:
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text)


def _arabic_stem(word: str) -> str:
    for prefix in ARABIC_PREFIXES:
        # a one-letter prefix is often the word's own first letter (فوز, بطل, وزير): only long words lose it
        if word.startswith(prefix) and len(word) - len(prefix) >= (2 if len(prefix) > 1 else 4):
            word = word[len(prefix):]
            break
    for suffix in ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[:-len(suffix)]
    return word


def _bare(word: str) -> str:
    """An Arabic word without its article or conjunction ("والانخفاض" is "انخفاض")."""
    for prefix in ARABIC_PREFIXES[:6]:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix):]
    return word


def stems(text: str) -> frozenset[str]:
    """Content words, folded and cut to a stem, function words left out."""
    found = set()
    for word in WORD.findall(fold(ELISION.sub("", text))):
        word = ELISION.sub("", word)
        if word in STOPWORDS or len(word) < 2:
            continue
        found.add(_arabic_stem(word) if ARABIC.match(word) else word[:STEM_CHARS])
    return frozenset(found)


def skeleton(word: str) -> str:
    """A word's consonants by sound class, the same for a name in Latin or in Arabic letters."""
    if ARABIC.match(word):
        if word.startswith("ال") and len(word) > 4:
            word = word[2:]
        sounds = word.translate(ARABIC_CLASSES)
    else:
        sounds = LATIN_ARTICLE.sub("", fold_word(word))
        for pair, sound in LATIN_DIGRAPHS:
            sounds = sounds.replace(pair, sound)
        sounds = sounds.translate(LATIN_CLASSES)
    letters = [c for c in sounds if c.isalpha() and c.isascii()]
    collapsed = [c for i, c in enumerate(letters) if i == 0 or c != letters[i - 1]]
    return "".join(collapsed).upper()


def name_skeletons(text: str) -> frozenset[str]:
    """Sound skeletons of the words that may be names: capitalised Latin words, and every Arabic word."""
    candidates = [w for w in WORD.findall(text) if ARABIC.match(w) or (w[0].isupper() and len(w) >= 3)]
    return frozenset(s for s in map(skeleton, candidates) if len(s) >= SKELETON_MIN)


def numbers(text: str) -> frozenset[str]:
    text = _digits(text)
    return frozenset(n.replace(",", ".") for n in NUMBER.findall(text) if len(n) >= 2 or "." in n or "," in n)


def match_scores(text: str) -> frozenset[tuple[str, str]]:
    return frozenset(SCORE.findall(_digits(text)))


def names(text: str) -> frozenset[str]:
    return frozenset(fold_word(n) for n in NAME.findall(text))


def _labels(text: str, table: dict[str, str]) -> frozenset[str]:
    words = [w if w in table or not ARABIC.match(w) else _bare(w) for w in WORD.findall(fold(text))]
    return frozenset(table[w] for w in words if w in table) | frozenset(
        table[f"{a}_{b}"] for a, b in zip(words, words[1:]) if f"{a}_{b}" in table)


def directions(text: str) -> frozenset[str]:
    """"up" and/or "down": a market or a figure that rises, or falls."""
    return _labels(text, DIRECTION_WORDS)


def kinds(text: str) -> frozenset[str]:
    """The kind of event a headline announces where it is one of those never told together (a death, congratulations)."""
    return _labels(text, KIND_WORDS)


def weekdays(text: str) -> frozenset[str]:
    return _labels(text, WEEKDAY_WORDS)
