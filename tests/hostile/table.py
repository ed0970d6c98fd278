"""Print the hostile publishers' table in Markdown, from the case files and what the suite observed.

    .venv/bin/python tests/hostile/table.py                   # runs tests/hostile, then prints
    .venv/bin/python tests/hostile/table.py --expected-only   # the cases and expectations alone, at once

The table is made from the same case files the test reads, so it cannot drift from them; the observed
column is what the last run of the test saw (its fixture writes it to AKHBAR_HOSTILE_OBSERVED).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.hostile.cases import GROUPS, describe_expected, load_cases  # noqa: E402

COMMAND = [sys.executable, "-m", "pytest", "tests/hostile", "-q", "-p", "no:cacheprovider"]


def run_suite() -> tuple[dict, float, str]:
    """Run tests/hostile; its observations, its wall-clock seconds and pytest's last line."""
    with tempfile.TemporaryDirectory() as folder:
        observed = Path(folder) / "observed.json"
        started = time.monotonic()
        done = subprocess.run(COMMAND, cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "AKHBAR_HOSTILE_OBSERVED": str(observed)})
        seconds = time.monotonic() - started
        summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        return json.loads(observed.read_text(encoding="utf-8")), seconds, summary


def cell(text: str) -> str:
    return " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|")


def table(report: dict | None) -> list[str]:
    lines = []
    for group in GROUPS:
        lines += ["", f"### {group}", ""]
        header = "| Case | What the server does | Expected outcome |"
        lines += [header + (" Observed by the test | |" if report else ""),
                  "|---|---|---|" + ("---|---|" if report else "")]
        for case in (c for c in load_cases() if c.group == group):
            for poll, expect in enumerate(case.polls):
                name = f"`{case.name}`" + (f" (poll {poll + 1})" if len(case.polls) > 1 else "")
                about = case.about if poll == 0 else "same site, polled again"
                row = f"| {name} | {cell(about)} | {cell(describe_expected(expect))} |"
                if report:
                    seen = report["cases"][case.name][poll]
                    verdict = "✓" if not seen["problems"] else "✗ " + "; ".join(seen["problems"])
                    row += f" {cell(seen['observed'])} | {cell(verdict)} |"
                lines.append(row)
    return lines


def main() -> None:
    expected_only = "--expected-only" in sys.argv[1:]
    report, seconds, summary = (None, 0.0, "") if expected_only else run_suite()
    cases = load_cases()
    polls = sum(len(case.polls) for case in cases)
    print(f"{len(cases)} cases ({polls} polls checked), in {len(GROUPS)} groups.")
    if report:
        failed = sum(1 for polls_seen in report["cases"].values() for seen in polls_seen if seen["problems"])
        print()
        print(f"Last run: `{' '.join(['.venv/bin/python', *COMMAND[1:]])}` — {summary}; "
              f"{polls - failed} of {polls} polls as expected. Wall clock {seconds:.0f} s, "
              f"of which the crawl itself (every case at once, then the second and third polls) "
              f"{report['seconds']:.0f} s.")
    print("\n".join(table(report)))


if __name__ == "__main__":
    main()
