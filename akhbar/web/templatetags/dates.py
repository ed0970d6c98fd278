"""The site's dates: dd - mm - yyyy in Moroccan time, kept left to right inside Arabic sentences."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

register = template.Library()


@register.filter
def day_line(moment: datetime) -> str:
    """04 - 10 - 2024 as a <time>: its own direction, so that an Arabic line does not read it 2024 - 10 - 04."""
    local = timezone.localtime(moment)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), date_format(local, "d - m - Y"))
