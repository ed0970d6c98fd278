"""Language of an article's text, among the languages we serve; the outlet's word wins unless we are sure."""

from functools import cache

SERVED_LANGUAGES = ("fr", "ar", "es", "en")
# Below this, a detection does not overrule what the page or the outlet declared.
CONFIDENT = 0.95
SAMPLE_CHARS = 1500


@cache
def _identifier():
    # Loading the model takes about two seconds: once per process, and only when first needed.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(SERVED_LANGUAGES))
    return identifier


def detect_language(text: str, *, declared: str | None) -> str:
    """The text's language: the declared one unless detection is confident of another."""
    declared = (declared or "").lower()[:2]
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(sample) < 20:
        return declared
    detected, confidence = _identifier().classify(sample)
    if declared in SERVED_LANGUAGES and declared != detected and confidence < CONFIDENT:
        return declared
    return detected
