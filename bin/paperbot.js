#!/usr/bin/env node
// The paperbot command: runs the compiled CLI in dist/ (made by `npm run build`, which `npm install` runs).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/adapters/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('paperbot: not built yet. Run `npm run build` (npm install does it), or run the sources with `npm run dev -- <command>`.');
  process.exit(1);
}
await import(entry.href);
