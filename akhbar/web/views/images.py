"""Our own copies of article images, at /img/<content hash>/<size>.webp; a blocked image is gone (410)."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from akhbar.moderation.selectors import image_by_key, image_is_blocked
from akhbar.news.models import RENDITION_WIDTHS, image_storage_name

BROWSER_MAX_AGE = 3600


@require_safe
def image(request: HttpRequest, sha256: str, size: str) -> HttpResponse:
    found = image_by_key(sha256) if size in RENDITION_WIDTHS else None
    if found is None:
        raise Http404(_("Cette image n'existe pas."))
    # Moderators still see a blocked image in the admin, to review it.
    if image_is_blocked(found.pk) and not request.user.is_staff:
        return HttpResponse(_("Cette image a été retirée."), status=410, content_type="text/plain; charset=utf-8")
    try:
        rendition = default_storage.open(image_storage_name(sha256, size))
    except FileNotFoundError:
        raise Http404(_("Cette image n'existe pas.")) from None
    response = FileResponse(rendition, content_type="image/webp")
    # Private, and not for long: a block must reach every reader soon, whatever their cache kept.
    response["Cache-Control"] = f"private, max-age={BROWSER_MAX_AGE}"
    response["ETag"] = f'"{sha256[:32]}-{size}"'
    return response
