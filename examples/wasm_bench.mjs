// The WebAssembly benchmark under Node: f32 ReLU at 1,000, 8,192 and
// 2,000,000 elements, in place and out of place, by
//   - relu-simd in a module built with `+simd128` (the simd128 backend),
//   - the naive `v.max(0.0)` loop in that module (autovectorised to simd128),
//   - the same naive loop in a module built without `+simd128` (scalar),
//   - the naive loop written with a compare, `v > 0 ? v : 0`, in both
//     modules (`f32::max` becomes a call to `fmaxf` on wasm, whose `f32.max`
//     returns NaN for NaN where Rust's `max` must not; the compare vectorises),
//   - relu-simd in that module (the portable backend, `wide` without SIMD).
// Both modules are `examples/wasm_bench.rs`, built twice (.ci/wasm-bench.sh);
// one process loads both and interleaves the variants: every round times
// each variant once per size and form, in a rotating order, after warm-up
// rounds that let V8 tier its code up from Liftoff to TurboFan. A variant's
// figure is its median over the rounds; ratios compare medians of this run.
// GB/s counts the bytes read and written (8 per f32), as the native figures.
//
//   node examples/wasm_bench.mjs simd128.wasm plain.wasm
import { readFile } from 'node:fs/promises';
import { argv, hrtime, version } from 'node:process';

const BACKENDS = ['scalar', 'portable', 'avx2', 'avx512', 'neon', 'simd128'];
const SIZES = [1_000, 8_192, 2_000_000];
const ELEMENTS_PER_CALL = 4_000_000; // about a millisecond per timed call
const WARMUP = 5;
const ROUNDS = 31;

async function load(path) {
  const { instance } = await WebAssembly.instantiate(await readFile(path), {});
  return instance.exports;
}

const [simd, plain] = await Promise.all([load(argv[2]), load(argv[3])]);
const variants = [
  { name: `relu-simd (${BACKENDS[simd.bench_backend()]}, +simd128)`, m: simd, v: 0 },
  { name: 'naive v.max(0.0), +simd128', m: simd, v: 1 },
  { name: 'naive v.max(0.0), no simd128', m: plain, v: 1 },
  { name: 'naive v > 0 ? v : 0, +simd128', m: simd, v: 2 },
  { name: 'naive v > 0 ? v : 0, no simd128', m: plain, v: 2 },
  { name: `relu-simd (${BACKENDS[plain.bench_backend()]}, no simd128)`, m: plain, v: 0 },
];
if (BACKENDS[simd.bench_backend()] !== 'simd128') {
  throw new Error('the +simd128 module does not run the simd128 backend');
}
console.log(`Node ${version}; median of ${ROUNDS} interleaved rounds after ${WARMUP} warm-up rounds`);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const n of SIZES) {
  const reps = Math.ceil(ELEMENTS_PER_CALL / n);
  const buffers = variants.map((x) => x.m.bench_alloc(n));
  const times = variants.map(() => ({ inplace: [], out: [] }));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + round) % variants.length;
      const { m, v } = variants[i];
      for (const [form, flag] of [['inplace', 1], ['out', 0]]) {
        const start = hrtime.bigint();
        m.bench_run(buffers[i], v, flag, reps);
        const ns = Number(hrtime.bigint() - start) / reps;
        if (round >= WARMUP) times[i][form].push(ns);
      }
    }
  }
  variants.forEach((x, i) => x.m.bench_free(buffers[i]));
  const med = times.map((t) => ({ inplace: median(t.inplace), out: median(t.out) }));
  console.log(`\n${n.toLocaleString('en-US')} f32 (${reps} calls per timing)`);
  console.log('| variant | in place ns | in place GB/s | out of place ns | out of place GB/s |');
  console.log('|---|---|---|---|---|');
  const gbs = (ns) => ((n * 8) / ns).toFixed(1); // bytes read and written
  variants.forEach((x, i) => {
    const { inplace, out } = med[i];
    console.log(`| ${x.name} | ${inplace.toFixed(0)} | ${gbs(inplace)} | ${out.toFixed(0)} | ${gbs(out)} |`);
  });
  for (const [form, label] of [['inplace', 'in place'], ['out', 'out of place']]) {
    const r = (j) => (med[j][form] / med[0][form]).toFixed(2);
    console.log(
      `relu-simd simd128 ${label}: v.max(0.0) ${r(2)}x without simd128, ${r(1)}x with it; ` +
        `v > 0 ? v : 0 ${r(4)}x without, ${r(3)}x with`,
    );
  }
}
