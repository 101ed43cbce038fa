#!/usr/bin/env python3
"""Writes a seed corpus for the `operations` fuzz target (layout in
fuzz_targets/operations.rs): for every element type, every operation of the
test table and a few channel counts and offsets, the special values (both
zeros, both infinities, quiet and signalling NaNs of both signs and several
payloads, subnormals, extremes, +-1) as x, and again as dy; slopes/biases from
the specials, small and raw-bit sums, slopes 0.01, 0.25, NaN, clamp bounds
[-1, 1], [+0, 1], [-0, +0] and invalid ones ([1, -1], NaN, [+0, -0]).

Usage: python3 fuzz/seeds.py fuzz/corpus/operations
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


OPERATIONS = 13  # the rows of tests/common/table.rs


def main(out):
    os.makedirs(out, exist_ok=True)
    for selector, bits, exp_bits, fmt in FORMATS:
        values = specials(bits, exp_bits)
        x = values + values[::-1]        # every special as x ...
        dy = values[::-1] + values       # ... paired with another as dy
        data = b"".join(struct.pack(fmt, v) for v in x + dy)
        sign = 1 << (bits - 1)
        one = ((1 << (exp_bits - 1)) - 1) << (bits - 1 - exp_bits)
        nan = values[7]
        bounds = [(sign | one, one), (0, one), (sign, 0),            # valid
                  (one, sign | one), (nan, one), (0, sign)]          # invalid
        wide_fmt = "<Q" if bits == 64 else "<I"
        wide_one = 0x3FF0000000000000 if bits == 64 else 0x3F800000
        alphas = [0x3C23D70A, 0x3E800000, 0x7FC00000]  # 0.01, 0.25, NaN
        for op in range(OPERATIONS):
            for case, channels in enumerate([1, 4, 13]):
                lo, hi = bounds[(op + case) % len(bounds)]
                params = [values[(i * 5 + case) % len(values)] for i in range(channels)]
                sums = [wide_one + i if case == 2 else i * 37 + 3 for i in range(channels)]
                offset = [0, 3, 7][case]
                body = (bytes([selector | (offset << 2), op, channels - 1])
                        + struct.pack("<I", alphas[case])
                        + struct.pack(fmt, lo) + struct.pack(fmt, hi)
                        + b"".join(struct.pack(fmt, v) for v in params)
                        + b"".join(struct.pack(wide_fmt, v) for v in sums) + data)
                name = f"specials-{selector}-op{op}-c{channels}"
                with open(os.path.join(out, name), "wb") as f:
                    f.write(body)


if __name__ == "__main__":
    main(sys.argv[1])
