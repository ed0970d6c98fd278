"""The editions for the masthead's switcher, each named in its own language ("English" in every edition)."""

from django import template

from akhbar.news.editions import NAMES

register = template.Library()


@register.simple_tag
def editions() -> list[tuple[str, str]]:
    return list(NAMES.items())
