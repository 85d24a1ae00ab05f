"""One gzip member made of parts compressed separately, so a changed part is all that is redone.

Each part is a raw deflate :class:`Segment` ended by a full flush: byte-aligned, no final block,
no back-references into another part. A body is the gzip header, the segments in order, the
tail compressed to the end of the stream, and the trailer: the CRC-32 of the whole body (the
parts' CRCs combined) and its length mod 2^32 (RFC 1952).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

# ID1 ID2, deflate, no flags, no mtime, no extra flags, OS unknown: what the gzip header says.
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_POLY = 0xEDB88320  # CRC-32's polynomial, reflected: bit 31 is x^0


def _times(a: int, b: int) -> int:
    """``a * b`` modulo the CRC-32 polynomial, both in reflected bit order."""
    product = 0
    m = 1 << 31
    while a:
        if a & m:
            product ^= b
            a ^= m
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _powers() -> tuple[int, ...]:
    """x^(2^n) modulo the polynomial for n in 0..31; x^(2^n) repeats with period 32 here."""
    powers = [1 << 30]  # x^1
    for _ in range(31):
        powers.append(_times(powers[-1], powers[-1]))
    return tuple(powers)


_X2N = _powers()


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of ``a + b`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)``, as zlib's own.

    ``crc1`` is shifted over ``len2`` zero bytes by multiplying it by x^(8 * len2), built from
    the squares x^(2^n) of the bits of ``8 * len2``; 32 multiplications at most.
    """
    shift = 1 << 31  # x^0
    n, k = len2, 3  # 8 * len2 = len2 << 3
    while n:
        if n & 1:
            shift = _times(_X2N[k & 31], shift)
        n >>= 1
        k += 1
    return _times(shift, crc1) ^ crc2


@dataclass(frozen=True, slots=True)
class Segment:
    """Compressed ``pieces`` of ``size`` bytes whose CRC-32 is ``crc``."""

    pieces: tuple[bytes, ...]
    size: int
    crc: int


def segment(chunks: Iterable[bytes], level: int, piece: int) -> Segment:
    """``chunks`` compressed at ``level`` to a flushed raw deflate segment, in ``piece``-byte
    pieces (about; kept as pieces rather than one copy of the whole)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    pieces: list[bytes] = []
    pending: list[bytes] = []
    pending_bytes = size = crc = 0
    for chunk in chunks:
        size += len(chunk)
        crc = zlib.crc32(chunk, crc)
        z = compressor.compress(chunk)
        pending.append(z)
        pending_bytes += len(z)
        if pending_bytes >= piece:
            pieces.append(b"".join(pending))
            pending.clear()
            pending_bytes = 0
    pending.append(compressor.flush(zlib.Z_FULL_FLUSH))
    pieces.append(b"".join(pending))
    return Segment(tuple(pieces), size, crc)


def joined(segments: Iterable[Segment]) -> Segment:
    """One segment of ``segments`` in order, their pieces shared, not copied."""

    def join(a: Segment, b: Segment) -> Segment:
        return Segment((*a.pieces, *b.pieces), a.size + b.size, crc32_combine(a.crc, b.crc, b.size))

    return reduce(join, segments, Segment((), 0, 0))


def member(head: Segment, tail: bytes, level: int) -> tuple[bytes, ...]:
    """The gzip member of ``head``'s bytes then ``tail``: pieces to write in order."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    end = compressor.compress(tail) + compressor.flush()
    trailer = struct.pack("<II", zlib.crc32(tail, head.crc), (head.size + len(tail)) & 0xFFFFFFFF)
    return (HEADER, *head.pieces, end + trailer)
