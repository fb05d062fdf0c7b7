#!/usr/bin/env node
// A committed file, so that npm links the command at install time, before dist/ is built.
import "../dist/cli.js";
