"""Lead image throughput: process_image over photo-like JPEGs of the sizes news sites serve, one process.

    .venv/bin/python bench/images.py [--seconds S] [--count N]

The JPEGs (quality 85, a quarter of them portrait, landscape ones from 1200x800 to 2400x1600) are built in
memory before the clock starts: a gradient, large shapes and sensor noise, fixed seeds, so runs compare.
One image is processed untimed first (imagehash imports scipy on first use). The set is then processed
over and over for S seconds (at least once). Images/s is wall time; the CPU-time rate is printed too,
since a busy machine skews it less.

Last line: images_per_s=... median_ms=... m_bytes=... l_bytes=... original_bytes=...
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from akhbar.crawl.images import process_image

SIZES = [(1200, 800), (1600, 1067), (2048, 1365), (2400, 1600), (1067, 1600), (1600, 1067), (2400, 1600)]


def photo_jpeg(width: int, height: int, seed: int) -> bytes:
    """A photo-like JPEG: sky-to-ground gradient, seven large shapes, sensor noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    mix = np.clip(y / height + rng.uniform(-0.5, 0.5) * x / width, 0, 1)[..., None]
    top, bottom = rng.uniform(30, 225, 3), rng.uniform(30, 225, 3)
    picture = Image.fromarray((top * (1 - mix) + bottom * mix).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(picture)
    for _ in range(7):
        x0, y0 = rng.uniform(-0.1, 0.9) * width, rng.uniform(-0.1, 0.9) * height
        box = (x0, y0, x0 + rng.uniform(0.1, 0.5) * width, y0 + rng.uniform(0.1, 0.5) * height)
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
    noisy = np.asarray(picture, dtype=np.float32) + rng.normal(0, 6, (height, width, 3))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to keep processing (default: 5)")
    parser.add_argument("--count", type=int, default=50, help="how many distinct JPEGs (default: 50)")
    options = parser.parse_args()
    bodies = [photo_jpeg(*SIZES[seed % len(SIZES)], seed=seed) for seed in range(options.count)]
    process_image(bodies[0])  # warm-up, untimed

    load_before = os.getloadavg()[0]
    durations: list[float] = []
    m_bytes: list[int] = []
    l_bytes: list[int] = []
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    while not durations or time.perf_counter() - wall_started < options.seconds:
        for body in bodies:
            started = time.perf_counter()
            result = process_image(body)
            durations.append(time.perf_counter() - started)
            m_bytes.append(len(result.renditions[0].data))
            l_bytes.append(len(result.renditions[1].data))
    wall, cpu = time.perf_counter() - wall_started, time.process_time() - cpu_started

    originals = statistics.mean(len(body) for body in bodies)
    m_mean, l_mean = statistics.mean(m_bytes), statistics.mean(l_bytes)
    durations.sort()
    median_ms = statistics.median(durations) * 1000
    print(
        f"images       {len(bodies)} JPEGs, {originals / 1000:.0f} KB on average, processed {len(durations)} times, "
        f"one process, load average {load_before:.1f} before"
    )
    print(f"throughput   {len(durations) / wall:.1f} images/s wall, {len(durations) / cpu:.1f} images/s of CPU time")
    print(
        f"per image    median {median_ms:.1f} ms, "
        f"p95 {durations[int(len(durations) * 0.95)] * 1000:.1f} ms, max {durations[-1] * 1000:.0f} ms"
    )
    print(
        f"output       m {m_mean / 1000:.1f} KB ({m_mean / originals:.1%} of the original), "
        f"l {l_mean / 1000:.1f} KB ({l_mean / originals:.1%})"
    )
    print(
        f"images_per_s={len(durations) / wall:.1f} median_ms={median_ms:.1f} "
        f"m_bytes={m_mean:.0f} l_bytes={l_mean:.0f} original_bytes={originals:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
