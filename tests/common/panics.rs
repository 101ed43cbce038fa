//! Invalid input: every operation of the table, in every form, panics
//! before anything is written, with a message that names the values at
//! fault; and the corner cases that must not panic.

use super::checks::{same_bits, same_sums};
use super::floats::{TestFloat, WideFloat};
use super::inputs::{MIRI, specials, wide_inits};
use super::oracle::{canon_all, from_f32, is_nan, zero};
use super::table::{Api, Call, FORMS, Form, Kind, Op, Params, Takes, as_uninit, operations};
use std::cell::Cell;
use std::fmt::Display;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, Once};

/// The integers in `s`.
fn numbers(s: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut current: Option<usize> = None;
    for &byte in s.as_bytes().iter().chain(b" ") {
        if byte.is_ascii_digit() {
            let digit = (byte - b'0') as usize;
            current = Some(
                current
                    .unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(digit),
            );
        } else if let Some(n) = current.take() {
            found.push(n);
        }
    }
    found
}

thread_local! {
    /// Set while this thread runs code that must panic.
    static EXPECTING_PANIC: Cell<bool> = const { Cell::new(false) };
}

/// Installs (once) a panic hook that stays silent for expected panics and
/// passes every other one to the previous hook.
fn quiet_expected_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTING_PANIC.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Names an operation of a panic test, formatted only when needed.
pub struct What {
    op: String,
    ty: &'static str,
    api: Api,
}

impl Display for What {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} on {}", self.op, self.ty, self.api.name())
    }
}

/// Runs `f`, expecting a panic whose message names every number of `names`.
#[track_caller]
fn expect_panic(what: impl Display, f: impl FnOnce(), names: &[usize]) {
    quiet_expected_panics();
    EXPECTING_PANIC.with(|e| e.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    EXPECTING_PANIC.with(|e| e.set(false));
    let payload = match result {
        Ok(()) => panic!("{what}: expected a panic"),
        Err(payload) => payload,
    };
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    let found = numbers(&message);
    for n in names {
        assert!(
            found.contains(n),
            "{what}: the panic message {message:?} does not name {n}"
        );
    }
}

/// The bits of the value that outputs hold before a call that must panic.
fn sentinel_bits<T: TestFloat>() -> u64 {
    T::INF | 0x5
}

/// `n` elements of the sentinel value.
fn sentinel<T: TestFloat>(n: usize) -> Vec<T> {
    vec![T::from_bits(sentinel_bits::<T>()); n]
}

/// Under Miri, the first case of each kind only.
fn cases<C: Clone>(all: &[C]) -> Vec<C> {
    all[..if MIRI { 1 } else { all.len() }].to_vec()
}

/// Whether this is the first call for `ty` in this process. Under Miri, the
/// panics are checked once per element type: the checks run in `Activations`'s
/// methods, one function per operation and type whatever the backend, before
/// any kernel, so the other backends and the free functions run the same code.
fn first_for_type(ty: &'static str) -> bool {
    static SEEN: Mutex<Vec<&str>> = Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let first = !seen.contains(&ty);
    seen.push(ty);
    first
}

/// Lengths of `x`, `dy` and the output.
pub type Lengths = (usize, usize, usize);

/// Runs `form` of `op` on data of `lengths` with `p`, expecting a panic whose
/// message names every number of `names`; then checks that neither the
/// output nor the sums were written.
pub fn rejected<T: TestFloat>(
    api: Api,
    op: &Op<T>,
    form: Form,
    (n, m, k): Lengths,
    p: &Params<T>,
    names: &[usize],
) {
    let what = What {
        op: format!(
            "{} (lengths {n}, {m}, {k}; {} channels, {} sums)",
            op.form_name(form),
            p.channel.len(),
            p.sums.len()
        ),
        ty: T::NAME,
        api,
    };
    let data = |n: usize| vec![from_f32::<T>(-1.5); n];
    let (x, dy) = (data(n), data(m));
    let mut out = sentinel::<T>(k);
    let mut sums = p.sums.clone();
    expect_panic(
        &what,
        || {
            let call = Call {
                x: &x,
                dy: &dy,
                out: as_uninit(&mut out),
                p,
                channel: &p.channel,
                sums: &mut sums,
            };
            (op.run)(api, form, call);
        },
        names,
    );
    // Nothing written: the output still holds the sentinel, the sums their
    // initial bits.
    let wrote = || format!("{what}, which wrote before it panicked");
    let sentinels = sentinel::<T>(k);
    same_bits(&wrote, &out, &sentinels, &|i| format!("output element {i}"));
    same_sums(&wrote, &sums, &p.sums, &p.sums);
}

/// Every panic: mismatched lengths (the message names them), per-channel
/// operands that are empty or do not divide the data, sums of the wrong
/// length, NaN or unordered clamp bounds; each before anything is written.
/// And the corner cases that must not panic.
pub fn check_panics<T: TestFloat>(api: Api) {
    if MIRI && !first_for_type(T::NAME) {
        eprintln!("Miri: the panics of {} are checked once", T::NAME);
        return;
    }
    let data = |n: usize| vec![from_f32::<T>(-1.5); n];
    let valid = Params {
        alpha: T::W::from_f32(0.1),
        lo: zero(),
        hi: from_f32(0.5),
        channel: data(1),
        sums: vec![T::W::from_f32(2.0)],
    };
    let bad_bounds = bad_bounds::<T>();
    // Under Miri, the out-of-place form only: the forms share their checks.
    let forms = &FORMS[..if MIRI { 1 } else { FORMS.len() }];
    for op in operations::<T>() {
        for &form in forms {
            // Lengths that differ, with one channel (which fits them all).
            let lengths: Vec<(Lengths, Vec<usize>)> = match (op.kind, form) {
                (Kind::Backward, Form::Inplace) => cases(&[(13, 17), (17, 13), (0, 3)])
                    .into_iter()
                    .map(|(n, k)| ((n, 0, k), vec![n, k]))
                    .collect(),
                (Kind::Backward, _) => {
                    cases(&[(13, 17, 13), (13, 13, 17), (17, 13, 13), (13, 0, 13)])
                        .into_iter()
                        .map(|(n, m, k)| {
                            (
                                (n, m, k),
                                vec![13, if n.min(m).min(k) == 0 { 0 } else { 17 }],
                            )
                        })
                        .collect()
                }
                (_, Form::Inplace) => vec![],
                _ => cases(&[(13, 17), (17, 13), (0, 3), (3, 0)])
                    .into_iter()
                    .map(|(n, k)| ((n, n, k), vec![n, k]))
                    .collect(),
            };
            for (len, names) in lengths {
                rejected(api, &op, form, len, &valid, &names);
            }
            // Per-channel operands that do not fit the data: not dividing
            // it, or empty for non-empty data.
            if op.takes.channels() {
                for (n, c) in cases(&[(26, 7), (26, 4), (13, 0), (3, 5), (1, 2)]) {
                    let p = Params {
                        channel: data(c),
                        sums: wide_inits::<T::W>(c, 1),
                        ..valid.clone()
                    };
                    rejected(api, &op, form, (n, n, n), &p, &[n, c]);
                }
            }
            // Sums for the wrong number of channels.
            if op.takes == Takes::ChannelAndSums {
                for (n, c, d) in cases(&[
                    (26, 13, 2),
                    (26, 13, 0),
                    (26, 13, 26),
                    (0, 3, 4),
                    (0, 0, 1),
                    (6, 3, 1),
                ]) {
                    let p = Params {
                        channel: data(c),
                        sums: wide_inits::<T::W>(d, 3),
                        ..valid.clone()
                    };
                    rejected(api, &op, form, (n, n, n), &p, &[c, d]);
                }
            }
            // NaN or unordered clamp bounds.
            if op.takes == Takes::Bounds {
                for &(lo, hi) in &bad_bounds {
                    rejected(
                        api,
                        &op,
                        form,
                        (9, 9, 9),
                        &Params {
                            lo,
                            hi,
                            ..valid.clone()
                        },
                        &[],
                    );
                }
            }
            check_fine(api, &op, form);
        }
    }
}

/// Clamp bounds that must be rejected: NaNs, and `lo > hi` (`-0.0 < +0.0`
/// counts).
fn bad_bounds<T: TestFloat>() -> Vec<(T, T)> {
    let nans: Vec<T> = specials::<T>().into_iter().filter(|&v| is_nan(v)).collect();
    let (neg_one, pos_one) = (from_f32::<T>(-1.0), from_f32::<T>(1.0));
    let mut bad = vec![
        (zero(), T::from_bits(T::SIGN)), // +0 > -0
        (pos_one, neg_one),
        (T::from_bits(T::INF), T::from_bits(T::INF | T::SIGN)),
        (T::from_bits(1), zero()),
        (zero(), T::from_bits(1 | T::SIGN)),
    ];
    for &nan in &nans[..if MIRI { 1 } else { nans.len() }] {
        bad.extend([(nan, pos_one), (neg_one, nan), (nan, nan)]);
    }
    if MIRI {
        bad.drain(1..5);
        bad.truncate(2);
    }
    bad
}

/// Fine: empty data with empty or any per-channel operands (sums unchanged,
/// except that NaNs come back canonical), equal bounds, a NaN slope.
fn check_fine<T: TestFloat>(api: Api, op: &Op<T>, form: Form) {
    let neg_zero = T::from_bits(T::SIGN);
    let one = from_f32::<T>(1.0);
    let mut params = Vec::new();
    for c in if MIRI { vec![3] } else { vec![0, 1, 3] } {
        // A zero of each sign and a signalling NaN, or other specials.
        let sums = if c == 3 {
            vec![
                T::W::from_f32(-0.0),
                T::W::from_f32(0.0),
                T::W::from_bits64(T::W::OTHER_NANS[1]),
            ]
        } else {
            wide_inits::<T::W>(c + 14, 3)[14..].to_vec()
        };
        for (lo, hi) in [
            (zero(), zero()),
            (neg_zero, neg_zero),
            (neg_zero, zero()),
            (one, one),
        ] {
            params.push(Params {
                alpha: T::W::from_f32(f32::NAN),
                lo,
                hi,
                channel: vec![one; c],
                sums: sums.clone(),
            });
        }
    }
    for p in &params {
        let mut sums = p.sums.clone();
        let n = (op.run)(
            api,
            form,
            Call {
                x: &[],
                dy: &[],
                out: &mut [],
                p,
                channel: &p.channel,
                sums: &mut sums,
            },
        );
        assert_eq!(n, 0, "{} of nothing", op.form_name(form));
        // Nothing is added, but NaN sums still come back canonical.
        let mut canonical = p.sums.clone();
        if op.takes == Takes::ChannelAndSums || op.takes == Takes::Sums {
            canon_all(&mut canonical);
        }
        let what = || {
            format!(
                "{} {} of nothing on {}",
                op.form_name(form),
                T::NAME,
                api.name()
            )
        };
        same_sums(&what, &sums, &canonical, &p.sums);
    }
}
