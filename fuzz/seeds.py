#!/usr/bin/env python3
"""Writes the fuzz seed corpus: for every element type and a few offsets, the
special values (both zeros, both infinities, quiet and signalling NaNs of both
signs and several payloads, subnormals, extremes, +-1) as x, and again as dy.

Usage: python3 fuzz/seeds.py fuzz/corpus/differential
"""
import itertools
import os
import struct
import sys

# (selector, total bits, exponent bits, struct format of the unsigned bits)
FORMATS = [(0, 32, 8, "<I"), (1, 64, 11, "<Q"), (2, 16, 5, "<H"), (3, 16, 8, "<H")]


def specials(bits, exp_bits):
    sign = 1 << (bits - 1)
    mant_bits = bits - 1 - exp_bits
    inf = ((1 << exp_bits) - 1) << mant_bits
    mant = (1 << mant_bits) - 1
    quiet = 1 << (mant_bits - 1)
    one = ((1 << (exp_bits - 1)) - 1) << mant_bits
    positive = [0, 1, mant, mant + 1, one, inf - 1, inf, inf | quiet,
                inf | quiet | 1, inf | mant, inf | 1, inf | (quiet - 1), inf | (quiet >> 1)]
    return positive + [v | sign for v in positive]


def main(out):
    os.makedirs(out, exist_ok=True)
    for (selector, bits, exp_bits, fmt), offset in itertools.product(FORMATS, [0, 1, 5]):
        values = specials(bits, exp_bits)
        x = values + values[::-1]        # every special as x ...
        dy = values[::-1] + values       # ... paired with another as dy
        body = b"".join(struct.pack(fmt, v) for v in x + dy)
        head = bytes([selector | (offset << 2)])
        with open(os.path.join(out, f"specials-{selector}-{offset}"), "wb") as f:
            f.write(head + body)


if __name__ == "__main__":
    main(sys.argv[1])
