// npm run fuzz -- --inputs N [--seed S] [--target NAME]... [--json FILE] [--replay INDEX]
// Exit status: 0 without findings, 1 with findings, 2 for bad usage.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLoop, shorten } from './loop.js';
import { createRng } from './rng.js';
import { formatReport } from './report.js';
import { runFuzz } from './run.js';
import { TARGETS, targetByName } from './targets/index.js';
import type { Finding } from './types.js';

const USAGE = `usage: npm run fuzz -- [--inputs N] [--seed S] [--target NAME]... [--json FILE]
                     [--slow-ms MS] [--hang-ms MS] [--jobs J] [--replay INDEX] [--list]
targets: ${TARGETS.map((t) => t.name).join(', ')}`;

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

async function replay(targetName: string, seed: number, index: number, slowMs: number, hangMs: number): Promise<number> {
  const target = targetByName(targetName)!;
  const run = await target.start();
  const input = run.generate(createRng(seed, targetName, index), index);
  console.log(`input #${index} of ${targetName} (seed ${seed}):\n${shorten(run.show(input), 20_000)}\n`);
  const findings: Finding[] = [];
  try {
    await run.execute(input); // run it bare first, so the stack trace of a foreign error is printed
  } catch (err) {
    console.log(run.isOwnError(err) ? `refused with the package's own error: ${(err as Error).message.slice(0, 2000)}` : err);
  }
  await runLoop(run, { target: targetName, seed, from: index, to: index + 1, slowMs, hangMs, onFinding: (f) => findings.push(f) });
  await run.close?.();
  for (const f of findings) console.log(`finding: ${f.kind}: ${f.summary}${f.detail ? ` — ${f.detail}` : ''}`);
  if (findings.length === 0) console.log('no finding for this input');
  return findings.length ? 1 : 0;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        inputs: { type: 'string' },
        seed: { type: 'string' },
        target: { type: 'string', multiple: true },
        json: { type: 'string' },
        'slow-ms': { type: 'string' },
        'hang-ms': { type: 'string' },
        jobs: { type: 'string' },
        replay: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.list) {
    for (const t of TARGETS) console.log(`${t.name.padEnd(14)} weight ${String(t.weight).padStart(2)}${t.wire ? ' (over the wire)' : ''}  ${t.description}`);
    return 0;
  }
  const targets = (args.target ?? []).flatMap((t) => t.split(',')).filter(Boolean);
  for (const t of targets)
    if (!targetByName(t)) {
      console.error(`unknown target "${t}"\n${USAGE}`);
      return 2;
    }
  const seed = int('seed', args.seed, Math.floor(Math.random() * 2 ** 31));
  const slowMs = int('slow-ms', args['slow-ms'], 1000);
  const hangMs = int('hang-ms', args['hang-ms'], 10_000);
  if (args.replay !== undefined) {
    if (targets.length !== 1) {
      console.error('--replay needs exactly one --target');
      return 2;
    }
    return replay(targets[0]!, seed, int('replay', args.replay, 0), slowMs, hangMs);
  }
  const inputs = int('inputs', args.inputs, 10_000);
  console.error(`fuzzing ${inputs.toLocaleString('en-US')} inputs, seed ${seed}${targets.length ? `, targets ${targets.join(', ')}` : ''}`);
  let lastPrint = 0;
  const report = await runFuzz({
    inputs,
    seed,
    targets,
    slowMs,
    hangMs,
    ...(args.jobs !== undefined ? { jobs: int('jobs', args.jobs, 2) } : {}),
    onProgress(target, done, total) {
      if (!process.stderr.isTTY || Date.now() - lastPrint < 1000) return;
      lastPrint = Date.now();
      process.stderr.write(`\r${target}: ${done}/${total}    `);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  console.log(formatReport(report));
  if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  return report.findings.length > 0 ? 1 : 0;
}

process.exitCode = await main();
