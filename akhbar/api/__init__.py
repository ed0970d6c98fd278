"""The read-only JSON API at /api/ (Django Ninja), with its OpenAPI schema at /api/openapi.json."""
