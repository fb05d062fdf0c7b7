#!/usr/bin/env node
// The qkd-macsec binary.
import { applyV8Settings } from './cli/heap.js';
import { processIo } from './cli/io.js';
import { runCli } from './cli/program.js';

applyV8Settings();

void runCli(process.argv.slice(2), { io: processIo() }).then((code) => {
  process.exitCode = code;
});
