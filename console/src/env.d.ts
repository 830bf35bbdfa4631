// esbuild bundles CSS imported from TypeScript (console/src/main.tsx only: see scripts/build-console.mjs)
declare module '*.css';
