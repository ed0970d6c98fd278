"""Content-Encoding decoders (gzip, deflate, brotli) that work in bounded steps.

Each decoder yields pieces of at most about STEP bytes, so the fetcher can stop a compression bomb
as soon as the decompressed body passes its limit, without ever holding more than that in memory.
"""

import zlib
from collections.abc import Iterator

import brotli

STEP = 64 * 1024
# What a decoder raises on corrupt data.
CORRUPT_DATA = (zlib.error, brotli.error)


# Decoders turn content-coded bytes into pieces of at most about STEP bytes; feeding b"" drains them.


class _Zlib:
    """gzip, or deflate: zlib-wrapped by the standard, yet raw from many servers, so sniff the header."""

    def __init__(self, wbits: int | None) -> None:
        self._wbits = wbits
        self._head = b""
        self._d = zlib.decompressobj(wbits) if wbits is not None else None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._d is None:
            self._head += data
            if len(self._head) < 2:
                return
            first, second = self._head[0], self._head[1]
            wrapped = first & 0x0F == 8 and ((first << 8) | second) % 31 == 0
            self._d = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            data, self._head = self._head, b""
        piece = self._d.decompress(data, STEP)
        while piece:
            yield piece
            piece = self._d.decompress(self._d.unconsumed_tail, STEP)


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        piece = self._d.process(data, output_buffer_limit=STEP)
        while True:
            if piece:
                yield piece
            if self._d.is_finished() or (not piece and self._d.can_accept_more_data()):
                return
            piece = self._d.process(b"", output_buffer_limit=STEP)


_CODINGS = {
    "gzip": lambda: _Zlib(32 + zlib.MAX_WBITS),
    "x-gzip": lambda: _Zlib(32 + zlib.MAX_WBITS),
    "deflate": lambda: _Zlib(None),
    "br": _Brotli,
}


class UnsupportedEncoding(Exception):
    """The server used a content coding we did not ask for and cannot undo."""


def decoders_for(content_encoding: str) -> list:
    """Decoders for a Content-Encoding header, in the order to apply them."""
    decoders = []
    # Codings are listed in the order they were applied; undo them last first.
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",")]):
        if coding in ("", "identity"):
            continue
        if coding not in _CODINGS:
            raise UnsupportedEncoding(coding)
        decoders.append(_CODINGS[coding]())
    return decoders


def decode(decoders: list, data: bytes) -> Iterator[bytes]:
    stream: Iterator[bytes] = iter((data,))
    for decoder in decoders:
        stream = _feed(decoder, stream)
    return stream


def _feed(decoder, stream: Iterator[bytes]) -> Iterator[bytes]:
    for part in stream:
        yield from decoder.feed(part)
