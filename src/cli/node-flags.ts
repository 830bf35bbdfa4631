// Node/V8 flags ARouter is launched with: `npm start`, `npm run demo`, the `arouter` bin's shebang and the
// bench all use these (a test keeps them in step). V8 reads heap sizes when the process starts, so they
// cannot be set from inside `serve` the way --heap-growing-percent is.
//
// --max-semi-space-size=8: V8 grows each half of its young generation to 16 MB under load by default; at 8 MB
// the peak resident memory under the bench's load is ~12 MB lower for no measurable change in requests/s
// (4 MB saved ~8 MB more but cost up to ~10 % of throughput in some runs; README "Performance").
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
