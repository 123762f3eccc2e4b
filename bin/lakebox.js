#!/usr/bin/env -S node --max-semi-space-size=24
// Entry point for the `lakebox` command: runs the compiled CLI from dist/. The larger young generation (24 MiB
// semi-spaces) keeps short-lived request buffers out of major GCs, which otherwise stall busy servers for 50–100 ms.
import { main } from '../dist/cli/main.js';

main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
