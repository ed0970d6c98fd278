"""The site's editions: one per language we serve, French first; every article belongs to its language's."""

from functools import lru_cache

from django.conf import settings

EDITIONS = tuple(code for code, _ in settings.LANGUAGES)
NAMES = dict(settings.LANGUAGES)  # each in its own language: "العربية", not "Arabe"


def edition_of(language: str | None) -> str:
    """The edition an article in this language belongs to (the default one for a language we do not serve)."""
    code = (language or "")[:2].lower()
    return code if code in EDITIONS else settings.LANGUAGE_CODE


# Addresses are built from one reverse() per view and edition, then filled in: a home page holds some 600 links,
# and reverse() for each took a third of its rendering time.
SENTINEL = 9_000_000_000  # accepted by the int and slug converters alike, and found in no real address


@lru_cache(maxsize=256)
def _address_template(view_name: str, edition: str, prefix: str, urlconf: str | None, names: tuple[str, ...]) -> str:
    from django.urls import reverse
    from django.utils import translation

    with translation.override(edition):
        address = reverse(view_name, urlconf=urlconf, kwargs={name: SENTINEL + n for n, name in enumerate(names)})
    address = address.replace("{", "{{").replace("}", "}}")
    for n, name in enumerate(names):
        address = address.replace(str(SENTINEL + n), "{" + name + "}")
    return address


def address_in_edition(view_name: str, edition: str, **kwargs: str | int) -> str:
    """reverse(view_name, kwargs=kwargs) in that edition, at a fraction of its cost."""
    from django.urls import get_script_prefix, get_urlconf

    template = _address_template(view_name, edition, get_script_prefix(), get_urlconf(), tuple(sorted(kwargs)))
    return template.format(**kwargs)
