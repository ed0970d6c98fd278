"""The report control's endpoint: a CSRF-protected POST that works with and without JavaScript."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from akhbar.moderation import selectors, services
from akhbar.moderation.reporters import remember_reporter, reporter_for


def _thanks() -> list[str]:
    return [
        _("Merci d'avoir signalé!"),
        _("Cette image sera automatiquement bloquée après qu'elle soit signalée par plusieurs personnes."),
    ]


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back_to(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if safe else "/"


@require_POST
def report_image(request: HttpRequest, sha256: str) -> HttpResponse:
    image = selectors.image_by_key(sha256)
    if image is None:
        raise Http404(_("Cette image n'existe pas."))
    reporter = reporter_for(request)
    try:
        services.image_report(image=image, reporter_key=reporter.reporter_key, network_key=reporter.network_key)
    except services.ReportLimitExceeded:
        message = _("Vous avez envoyé beaucoup de signalements en peu de temps. Merci de réessayer dans une heure.")
        if _wants_json(request):
            response = JsonResponse({"lines": [message]}, status=429)
        else:
            response = render(request, "moderation/reported.html", {"lines": [message], "back": _back_to(request)},
                              status=429)
        response["Retry-After"] = "3600"
        return response
    # The same words whether or not the report counted: a reader learns nothing of others' reports.
    if _wants_json(request):
        response = JsonResponse({"lines": _thanks()})
    else:
        response = render(request, "moderation/reported.html", {"lines": _thanks(), "back": _back_to(request)})
    remember_reporter(response, reporter)
    return response
