"""Hypothesis strategy shared by the reader fuzz tests: small random edits of a real snippet."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def mutations(draw, base: bytes, tokens: list[bytes]) -> bytes:
    """``base`` with 1-4 deletions, insertions (format tokens or random bytes), replacements or duplications."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("delete", "insert", "replace", "duplicate")))
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 40)))
        if op == "delete":
            del data[start:end]
        elif op == "insert":
            data[start:start] = draw(st.one_of(st.sampled_from(tokens), st.binary(max_size=8)))
        elif op == "replace":
            data[start:end] = draw(st.sampled_from(tokens))
        else:
            data[start:start] = data[start:end]
    return bytes(data)
