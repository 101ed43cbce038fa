#!/usr/bin/env -S node --no-warnings --no-turbo-fast-api-calls
// Runs a WASI preview 1 module (a `cargo test` or `cargo run` binary for
// wasm32-wasip1) under Node's `node:wasi`: `.ci/wasi-run.mjs
// module.wasm args...`. Cargo uses it as the
// CARGO_TARGET_WASM32_WASIP1_RUNNER (.cargo/config.toml). The module sees
// the arguments and the whole environment (RELU_SIMD_REQUIRE and the
// others). Its `/` is the current directory (cargo runs tests from the
// package root): wasi-libc resolves relative paths against its own working
// directory, which is always `/`, so this is what makes `file!()`-relative
// paths such as proptest's `tests/*.proptest-regressions` resolve (with `/`
// as the host's root, proptest found no source file and silently ran
// without its regression file). Host paths outside it are not reachable.
//
// `--no-warnings` hides node:wasi's experimental warning.
// `--no-turbo-fast-api-calls`: with V8's fast API calls into node:wasi (the
// default), Node 20.20 crashed (SIGSEGV, or "abort: Invalid bytecode") in
// most runs of a test binary that allocates a few MiB, after every test had
// passed (as nodejs/node#53087 reports for Node 22). Without them: 18 of 18
// runs clean here (one test, the whole backends and family binaries).
import { readFile } from 'node:fs/promises';
import process, { argv, env, cwd } from 'node:process';
import { WASI } from 'node:wasi';

const [file, ...args] = argv.slice(2);
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env,
  preopens: { '/': cwd() },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
// A trap (a panic aborts on wasm32) throws here, and Node exits with 1;
// otherwise with the module's exit code.
process.exitCode = wasi.start(instance);
