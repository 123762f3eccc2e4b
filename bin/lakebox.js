#!/usr/bin/env node
// Entry point for the `lakebox` command: runs the compiled CLI from dist/.
import { main } from '../dist/cli/main.js';

main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
