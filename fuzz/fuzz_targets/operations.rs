//! Fuzzing every operation of the test table (`tests/common/table.rs`) on
//! every backend this CPU supports, against the tests' oracle, bit for bit,
//! through the tests' own check: every form, guard elements around every
//! output, exact allocations for `_uninit`, the sums and the zero count. On
//! arbitrary bit patterns, parameters, channel counts and offsets, for
//! every element type. Invalid clamp bounds must panic before anything is
//! written.
//!
//! Input layout (missing bytes read as zero):
//!
//! | bytes | meaning |
//! |-------|---------|
//! | 0     | element type (bits 0-1), offset (bits 2-4) |
//! | 1     | operation: index into the table, modulo its length |
//! | 2     | channels - 1, modulo 48 |
//! | 3-6   | `alpha`: f32 bits (little endian) |
//! | then  | `lo`, `hi` (one element each); `channels` elements of slopes or biases; `channels` sums (wide floats) |
//! | rest  | elements: `x` (first half) and `dy` (second half); per-channel operations use the largest whole number of rows |

#![no_main]

#[allow(dead_code, unused_imports)]
#[path = "../../tests/common/mod.rs"]
mod common;

use common::checks::check_op;
use common::floats::{TestFloat, WideFloat};
use common::oracle::{is_nan, total_less};
use common::panics::rejected;
use common::table::{Api, FORMS, Params, Takes, operations};
use libfuzzer_sys::fuzz_target;
use relu_simd::half::{bf16, f16};
use relu_simd::{Activations, Backend};

fuzz_target!(|data: &[u8]| {
    let mut input = Reader(data);
    let head = input.byte();
    let offset = usize::from(head >> 2) & 7;
    match head & 3 {
        0 => check::<f32>(&mut input, offset),
        1 => check::<f64>(&mut input, offset),
        2 => check::<f16>(&mut input, offset),
        _ => check::<bf16>(&mut input, offset),
    }
});

/// The fuzz input, read front to back; past its end it reads zeros.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Vec<u8> {
        let k = n.min(self.0.len());
        let mut v = self.0[..k].to_vec();
        self.0 = &self.0[k..];
        v.resize(n, 0);
        v
    }

    fn byte(&mut self) -> u8 {
        self.take(1)[0]
    }

    fn bits(&mut self, bytes: usize) -> u64 {
        let mut b = self.take(bytes);
        b.resize(8, 0);
        u64::from_le_bytes(b.try_into().unwrap())
    }

    fn element<T: TestFloat>(&mut self) -> T {
        T::from_bits(self.bits(size_of::<T>()))
    }
}

fn check<T: TestFloat>(input: &mut Reader, offset: usize) {
    let ops = operations::<T>();
    let op = &ops[usize::from(input.byte()) % ops.len()];
    let channels = usize::from(input.byte()) % 48 + 1;
    let alpha = T::W::from_f32(f32::from_bits(input.bits(4) as u32));
    let (lo, hi) = (input.element::<T>(), input.element::<T>());
    let channel: Vec<T> = (0..channels).map(|_| input.element()).collect();
    let sums: Vec<T::W> = (0..channels)
        .map(|_| T::W::from_bits64(input.bits(size_of::<T::W>())))
        .collect();
    let elements: Vec<T> = (0..input.0.len() / size_of::<T>())
        .map(|_| input.element())
        .collect();
    let mut n = elements.len() / 2;
    if op.takes.channels() {
        n -= n % channels;
    }
    let (x, dy) = (&elements[..n], &elements[n..2 * n]);
    let p = Params { alpha, lo, hi, channel, sums };
    let valid = op.takes != Takes::Bounds || !(is_nan(lo) || is_nan(hi) || total_less(hi, lo));
    for backend in Backend::ALL {
        let Some(handle) = Activations::new(backend) else { continue };
        let api = Api::Method(handle);
        if valid {
            check_op(api, op, x, dy, &p, offset);
        } else {
            for form in FORMS {
                rejected(api, op, form, (n, n, n), &p, &[]);
            }
        }
    }
}
