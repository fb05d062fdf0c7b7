// The one error an agent client raises: which site, which path, what the agent (or the network)
// said. `code` is the agent's error code (protocol/errors.ts), or "unreachable" / "timeout" /
// "bad-response" when no usable answer came back; `status` is 0 then.

export class AgentError extends Error {
  override name = 'AgentError';
  constructor(
    readonly site: string,
    readonly path: string,
    readonly status: number,
    readonly code: string,
    message: string,
    /** The agent's error body, when it sent one. */
    readonly response?: { error: { code: string; message: string } },
    options?: { cause?: unknown },
  ) {
    super(`agent ${site} ${path}: ${message}`, options);
    this.reason = message;
  }

  private readonly reason: string;

  /** The same error, named for another path (an item of a batch the agent refused as a whole). */
  forPath(path: string): AgentError {
    return new AgentError(this.site, path, this.status, this.code, this.reason, this.response, { cause: this });
  }
}
