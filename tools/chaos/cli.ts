// npm run chaos -- --links 20 --minutes 30 [--rotations N] [--seed S] [--json out.json]
// Exit codes: 0 every must-be-zero figure is 0; 1 one is not; 2 bad options or the run could not be set up.
import { writeFileSync } from 'node:fs';
import { parseOptions, USAGE, UsageError } from './options.js';
import { failedFigures, renderTable } from './report.js';
import { runSoak } from './soak.js';

// Ctrl-C: exit, and the exit hook in processes.ts kills every child this run started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`chaos: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const { figures, dir, kept } = await runSoak({ ...options.soak, log });
  process.stdout.write(`${renderTable(figures)}\n`);
  if (options.json !== undefined) {
    writeFileSync(options.json, `${JSON.stringify(figures, null, 2)}\n`);
    log(`figures written to ${options.json}`);
  }
  if (kept) log(`run directory kept: ${dir} (it holds the simulators' key logs: delete it when done)`);
  return failedFigures(figures).length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
