// Options renamed in 0.2 to the workspace's conventions (CONTRIBUTING.md). A caller from plain
// JavaScript who still passes the old name would otherwise get a silent default — an unconfirmed
// commit rolled back after Junos' 10 minutes instead of theirs — so the old name is refused.

/** Throws a TypeError naming the new option when `options` carries an old one. */
export function refuseRenamed(options: object | undefined, renamed: Readonly<Record<string, string>>, where: string): void {
  if (options === undefined || options === null) return;
  for (const [old, now] of Object.entries(renamed)) {
    if (Object.hasOwn(options, old)) throw new TypeError(`${where}: option "${old}" was renamed "${now}" (see the CHANGELOG); "${old}" is not read`);
  }
}
