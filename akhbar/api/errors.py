"""The API's errors: JSON with a French `detail` (in the client's language when translated), and the right status."""

from functools import partial

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext, ngettext
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled, ValidationError


def _invalid(request: HttpRequest, exc: ValidationError, *, api: NinjaAPI) -> HttpResponse:
    problems = [{"param": ".".join(str(part) for part in error.get("loc", ())[1:]) or "?",
                 "message": error.get("msg", "")} for error in exc.errors]
    names = ", ".join(dict.fromkeys(problem["param"] for problem in problems))
    detail = ngettext("Paramètre invalide : %(names)s.", "Paramètres invalides : %(names)s.",
                      len(problems)) % {"names": names}
    return api.create_response(request, {"detail": detail, "errors": problems}, status=422)


def _not_found(request: HttpRequest, exc: Http404, *, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, {"detail": gettext("Introuvable.")}, status=404)


def _http_error(request: HttpRequest, exc: HttpError, *, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


def _throttled(request: HttpRequest, exc: Throttled, *, api: NinjaAPI) -> HttpResponse:
    detail = gettext("Trop de requêtes depuis votre réseau : réessayez dans quelques instants (voir Retry-After).")
    return api.create_response(request, {"detail": detail}, status=429)


def install(api: NinjaAPI) -> None:
    """Replace Django Ninja's English messages with ours; everything else stays a server error."""
    api.add_exception_handler(ValidationError, partial(_invalid, api=api))
    api.add_exception_handler(Http404, partial(_not_found, api=api))
    api.add_exception_handler(HttpError, partial(_http_error, api=api))
    api.add_exception_handler(Throttled, partial(_throttled, api=api))


def unknown_address(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Any /api/ address that names no operation."""
    detail = gettext("Cette adresse n'existe pas dans l'API : voir %(schema)s.") % {"schema": "/api/openapi.json"}
    return JsonResponse({"detail": detail}, status=404)
