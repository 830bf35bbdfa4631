// How ARouter's process is started: `npm start`, `npm run demo`, the `arouter` bin's shebang and the bench all
// use these (a test keeps them in step). V8 reads heap sizes and glibc its malloc settings when the process
// starts, so neither can be set from inside `serve` the way --heap-growing-percent is.
//
// --max-semi-space-size=8: V8 grows each half of its young generation to 16 MB under load by default; at 8 MB
// the peak resident memory under the bench's load is ~12 MB lower for no measurable change in requests/s
// (4 MB saved ~8 MB more but cost 2–13 % of throughput across runs; README "Performance").
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

// MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (the ledger writer, libuv's pool, V8's helpers) a
// malloc arena of its own, which keeps freed memory; two arenas measured ~6 MB lower peak resident memory under
// the bench's load, with no change in requests/s. Other C libraries (musl, macOS) ignore the variable.
export const SERVE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
