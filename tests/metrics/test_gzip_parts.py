"""Separately compressed parts make one gzip member of their concatenation; crc32_combine."""

from __future__ import annotations

import gzip
import random
import shutil
import subprocess
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.metrics.gzip_parts import crc32_combine, joined, member, segment

chunk_lists = st.lists(st.lists(st.binary(max_size=300), max_size=4), max_size=5)


@settings(max_examples=300)
@given(st.binary(max_size=200), st.binary(max_size=2000))
def test_crc32_combine_is_the_crc_of_the_concatenation(a: bytes, b: bytes) -> None:
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_crc32_combine_over_a_long_second_part() -> None:
    b = bytes(5_000_000) + b"end"
    assert crc32_combine(zlib.crc32(b"start"), zlib.crc32(b), len(b)) == zlib.crc32(b"start" + b)


@given(
    st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**40)), min_size=3, max_size=3)
)
def test_crc32_combine_is_associative_at_any_length(parts: list[tuple[int, int]]) -> None:
    """(a + b) + c == a + (b + c) for CRCs of parts of any length, up to a TiB."""
    (a, _), (b, len_b), (c, len_c) = parts
    left = crc32_combine(crc32_combine(a, b, len_b), c, len_c)
    assert left == crc32_combine(a, crc32_combine(b, c, len_c), len_b + len_c)


@settings(max_examples=200)
@given(chunk_lists, st.binary(max_size=300), st.sampled_from([1, 2, 6, 9]))
def test_parts_and_tail_are_one_gzip_member(
    parts: list[list[bytes]], tail: bytes, level: int
) -> None:
    plain = b"".join(b"".join(p) for p in parts) + tail
    body = b"".join(member(joined(segment(p, level, 64) for p in parts), tail, level))
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert inflate.decompress(body) == plain
    assert inflate.eof
    assert inflate.unused_data == b""
    assert gzip.decompress(body) == plain


def test_a_segment_keeps_its_size_crc_and_pieces() -> None:
    chunks = [random.Random(n).randbytes(1000) for n in range(50)]
    made = segment(chunks, 2, 1024)
    assert (made.size, made.crc) == (sum(map(len, chunks)), zlib.crc32(b"".join(chunks)))
    assert len(made.pieces) > 1
    assert segment([], 2, 1024).size == 0


def test_a_body_longer_than_4_gib_keeps_its_length_mod_2_32() -> None:
    tail = b"abc"
    big = joined([segment([b"x"], 2, 64)])
    wrapped = type(big)(big.pieces, 2**32 + 5, big.crc)
    body = b"".join(member(wrapped, tail, 2))
    assert body[-4:] == (5 + len(tail)).to_bytes(4, "little")


@pytest.mark.skipif(shutil.which("gzip") is None, reason="no gzip command")
def test_the_gzip_command_reads_it() -> None:
    parts = [[b"# HELP a\n", b"a 1\n" * 1000], [], [b"b 2\n" * 500]]
    body = b"".join(member(joined(segment(p, 2, 256) for p in parts), b"# EOF\n", 2))
    out = subprocess.run(["gzip", "-dc"], input=body, capture_output=True, check=True)
    assert out.stdout == b"".join(b"".join(p) for p in parts) + b"# EOF\n"
    assert out.stderr == b""
