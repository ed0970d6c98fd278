from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from akhbar.news.selectors import home_sections
from akhbar.web.pagecache import cached_page


@cached_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", home_sections(language=get_language()))
