"""/api/: Django Ninja's operations and schema, readable from any origin; any other address a JSON 404."""

from django.urls import include, path, re_path

from akhbar.api.cors import any_origin, any_origin_patterns
from akhbar.api.endpoints import api
from akhbar.api.errors import unknown_address

# Not named app_name and namespace: include() would take this module's app_name as its own.
ninja_patterns, ninja_app, ninja_namespace = api.urls

urlpatterns = [
    path("", include((any_origin_patterns(ninja_patterns), ninja_app), namespace=ninja_namespace)),
    re_path(r"^", any_origin(unknown_address)),
]
