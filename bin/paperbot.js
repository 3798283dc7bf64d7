#!/usr/bin/env node
// The paperbot command: compiles the TypeScript sources on load (tsx caches them), then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../adapters/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
