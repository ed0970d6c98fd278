"""Wire copies: the same text republished by several outlets, told apart from a rewrite of the same story.

Pure: no Django. SimHash finds the candidates cheaply; the word-trigram overlap decides.
"""

import hashlib
import re

import numpy as np

from akhbar.stories.signals import fold_word as _fold

SHINGLE = 3


def simhash(text: str) -> int:
    """A 64-bit SimHash over word trigrams, as a signed int: copies of one text are a few bits apart."""
    words = re.findall(r"\w+", _fold(text))
    shingles = [" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    digests = np.frombuffer(b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles),
                            dtype=np.uint8).reshape(len(shingles), 8)
    votes = (np.unpackbits(digests, axis=1).astype(np.int32) * 2 - 1).sum(axis=0)
    unsigned = int.from_bytes(np.packbits(votes > 0).tobytes(), "big")
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", _fold(re.sub(r"<[^>]+>", " ", text)))
    return {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def text_overlap(a: str, b: str) -> float:
    """Jaccard similarity of two texts' word trigrams (HTML tags ignored): 1.0 for the same text."""
    first, second = _shingles(a), _shingles(b)
    return len(first & second) / len(first | second) if first | second else 0.0


def simhash_distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()
