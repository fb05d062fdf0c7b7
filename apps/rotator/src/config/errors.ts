// Config problems: each names the path in the file (e.g. `devices.r1.password.env`) and what is
// wrong. Messages never hold secret values, only where they were to be read from.

export interface ConfigIssue {
  /** Dotted path with [index] for arrays, e.g. `links[0].slaves[1].device`; "" for the whole file. */
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

/** The config file cannot be used. `issues` lists every problem found, not only the first. */
export class ConfigError extends Error {
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    const lines = issues.map((i) => `  ${formatIssue(i)}`);
    super(`config ${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }
}
