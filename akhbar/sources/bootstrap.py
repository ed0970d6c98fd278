"""What `akhbar up` does before serving: the data folder, the schema, the static files, the first outlets."""

from django.conf import settings
from django.core.management import call_command

from akhbar.sources.defaults import read_outlets_tsv
from akhbar.sources.models import Outlet
from akhbar.sources.services import CATEGORIES, outlets_load


def prepare_data_folder() -> None:
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def load_outlets_first_run(*, demo_outlets: list[dict] | None = None) -> int:
    """Load the default outlets (or the demo's) only when there are none yet: a first run."""
    if Outlet.objects.exists():
        return 0
    if demo_outlets is not None:
        rows = [
            {"name": o["name"], "slug": o["slug"], "homepage": o["homepage"], "lang": o["lang"],
             "category": o.get("category") if o.get("category") in CATEGORIES else None, "feeds": [o["feed_url"]]}
            for o in demo_outlets
        ]
    else:
        rows = read_outlets_tsv()
    return outlets_load(rows)
