#!/usr/bin/env python3
"""Writes a fuzz seed corpus: for every element type and a few offsets, the
special values (both zeros, both infinities, quiet and signalling NaNs of both
signs and several payloads, subnormals, extremes, +-1) as x, and again as dy.

For the `family` target (layout in fuzz_targets/family.rs), the same data for
every operation, with a few channel counts, slopes/bias taken from the
specials, small and raw-bit accumulators, clamp bounds [-1, 1], [+0, 1],
[-0, +0], and invalid ones ([1, -1], NaN, [+0, -0]).

Usage: python3 fuzz/seeds.py fuzz/corpus/differential
       python3 fuzz/seeds.py fuzz/corpus/family family
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


FAMILY_OPS = 11  # len(Op::ALL) in fuzz_targets/family.rs


def family(out):
    os.makedirs(out, exist_ok=True)
    for selector, bits, exp_bits, fmt in FORMATS:
        values = specials(bits, exp_bits)
        x = values + values[::-1]
        dy = values[::-1] + values
        data = b"".join(struct.pack(fmt, v) for v in x + dy)
        sign = 1 << (bits - 1)
        one = ((1 << (exp_bits - 1)) - 1) << (bits - 1 - exp_bits)
        nan = values[7]
        bounds = [(sign | one, one), (0, one), (sign, 0),            # valid
                  (one, sign | one), (nan, one), (0, sign)]          # invalid
        wide_fmt = "<Q" if bits == 64 else "<I"
        wide_one = 0x3FF0000000000000 if bits == 64 else 0x3F800000
        for op in range(FAMILY_OPS):
            for case, channels in enumerate([1, 4, 13]):
                lo, hi = bounds[(op + case) % len(bounds)]
                raw_acc = case == 2
                params = [values[(i * 5 + case) % len(values)] for i in range(channels)]
                if raw_acc:
                    acc = b"".join(struct.pack(wide_fmt, wide_one + i) for i in range(channels))
                else:
                    acc = bytes((i * 37 + 3) & 0xFF for i in range(channels))
                offsets = [(0, 0), (1, 3), (5, 7)][case]
                head = selector | (offsets[0] << 2) | (offsets[1] << 5)
                flags = int(raw_acc)
                alpha = bytes([case, 0, 0, 0])  # 0.01, 0.25 or 0.0 from ALPHAS
                body = (bytes([head, op, channels - 1, flags]) + alpha
                        + struct.pack(fmt, lo) + struct.pack(fmt, hi)
                        + b"".join(struct.pack(fmt, v) for v in params) + acc + data)
                name = f"specials-{selector}-op{op}-c{channels}"
                with open(os.path.join(out, name), "wb") as f:
                    f.write(body)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "family":
        family(sys.argv[1])
    else:
        main(sys.argv[1])
