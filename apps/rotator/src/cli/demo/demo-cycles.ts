// What both demos run once the engine is up: init, then N rotations, each printed as the CLI
// prints it. Returns the cycles and whether everything went through.
import type { InitReport } from '../../engine/index.js';
import { formatInit } from '../commands/init.js';
import { formatCycle } from '../commands/rotate.js';
import type { CycleReport, Rotator } from '../engine.js';
import { line, type OutStream } from '../io.js';

export async function initAndRotate(
  rotator: Rotator,
  out: OutStream,
  rotations: number,
  onReport: (report: InitReport | CycleReport) => void = () => undefined,
): Promise<{ cycles: CycleReport[]; ok: boolean }> {
  const cycles: CycleReport[] = [];
  line(out, '\n== init ==');
  const init = await rotator.init({ dryRun: false });
  onReport(init);
  line(out, formatInit(init));
  let ok = init.errors.length === 0 && init.devices.every((d) => d.error === undefined);
  for (let i = 1; i <= rotations; i++) {
    line(out, `\n== rotation ${i} of ${rotations} ==`);
    const report = await rotator.rotate({});
    cycles.push(report);
    onReport(report);
    line(out, formatCycle(report));
    if (report.links.some((l) => l.result !== 'ok')) ok = false;
  }
  return { cycles, ok };
}
