"""Each pure stage under atheris's coverage-guided fuzzing for a bounded time (skipped where atheris is absent)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris did not install on this machine; hypothesis still fuzzes the stages")

HERE = Path(__file__).resolve().parent
SECONDS = 15
SEEDS = {"feeds": HERE.parent / "data" / "feeds", "extract": HERE.parent / "data" / "extract", "normalize": None}


@pytest.mark.parametrize("stage", list(SEEDS))
def test_a_stage_survives_coverage_guided_fuzzing(stage, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if SEEDS[stage]:  # start from the real fixtures (copied: libFuzzer writes new inputs into its corpus)
        for seed in SEEDS[stage].iterdir():
            if seed.suffix in (".xml", ".html", ".json"):
                (corpus / seed.name).write_bytes(seed.read_bytes()[:65536])
    run = subprocess.run(
        [sys.executable, str(HERE / "atheris_stages.py"), stage, f"-max_total_time={SECONDS}", "-max_len=65536",
         "-rss_limit_mb=3072", "-timeout=20", f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, timeout=SECONDS + 120,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "Done" in run.stderr, run.stderr[-2000:]
