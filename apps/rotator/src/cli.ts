#!/usr/bin/env node
// The qkd-macsec binary.
import { limitHeapGrowth } from './cli/heap.js';
import { processIo } from './cli/io.js';
import { runCli } from './cli/program.js';

limitHeapGrowth();

void runCli(process.argv.slice(2), { io: processIo() }).then((code) => {
  process.exitCode = code;
});
