#!/usr/bin/env node
// bkt-train's entry point (see program.ts for the commands).
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    console.error(`bkt-train: error: ${(e as Error).message}`);
    process.exitCode = 1;
  });
