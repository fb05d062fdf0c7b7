#!/usr/bin/env node
// The sim-kme binary (bin/sim-kme.js loads the built copy of this file).
import { runCli } from './cli/program.js';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
