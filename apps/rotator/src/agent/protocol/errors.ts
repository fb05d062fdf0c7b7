// The error codes an agent answers with ({error: {code, message}}), shared by both sides. The
// agent raises AgentRefusal for a refusal it means (status + code); anything else is a 500.

export const ERROR_CODES = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'key-not-held': 409,
  'secret-not-held': 409,
  'too-large': 413,
  'unknown-device': 404,
  'unknown-sae': 404,
  'kme-error': 502,
  'device-error': 502,
  'key-mismatch': 502,
  internal: 500,
} as const;
export type AgentErrorCode = keyof typeof ERROR_CODES;

export class AgentRefusal extends Error {
  override name = 'AgentRefusal';
  readonly status: number;
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }
}
