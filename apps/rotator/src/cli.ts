#!/usr/bin/env node
console.error("qkd-macsec: not built yet");
process.exitCode = 1;
