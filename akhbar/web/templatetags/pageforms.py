from django import template
from django.utils.safestring import SafeString, mark_safe

from akhbar.web import pageform

register = template.Library()


@register.simple_tag(takes_context=True)
def page_token_input(context: template.Context) -> SafeString:
    """The CSRF input of a page's one form; in a page the cache shares, a placeholder it fills per reader."""
    return mark_safe(pageform.token_input(context["request"]))  # noqa: S308 - built from a masked token only
