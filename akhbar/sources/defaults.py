"""The default outlet list that ships with Akhbar (data/outlets.tsv)."""

import csv
from pathlib import Path

DEFAULT_OUTLETS = Path(__file__).with_name("data") / "outlets.tsv"


def read_outlets_tsv(path: Path = DEFAULT_OUTLETS) -> list[dict]:
    """Rows ready for services.outlets_load: one feed each, alternatives kept for discovery."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = []
    for record in csv.DictReader(lines, delimiter="\t"):
        rows.append(
            {
                "slug": record["slug"], "name": record["name"], "lang": record["lang"],
                "category": record["category"], "homepage": record["homepage"],
                "feeds": [record["feed"]] if record["feed"] else [],
                "alternatives": (record.get("alternatives") or "").split(),
                "notes": record.get("notes") or "",
            }
        )
    return rows
