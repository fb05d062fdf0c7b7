// Endpoint URLs: base URL (scheme, host, port, optional path prefix) + /api/v1/keys/{SAE}/{op}.
import { QkdConfigError, QkdRequestError } from './errors.js';

export type Operation = 'status' | 'enc_keys' | 'dec_keys';

const API_PATH = '/api/v1/keys';

/**
 * Returns the root (origin + path prefix, no trailing slash) after checking the base URL:
 * https (http only when explicitly allowed), no query, fragment or credentials, and not
 * already ending in /api/v1/keys.
 */
export function parseBaseUrl(baseUrl: string, allowPlainHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new QkdConfigError(`baseUrl "${baseUrl}" is not an absolute URL (expected e.g. https://kme.example:8443 or https://host/prefix)`, {
      endpoint: baseUrl,
      saeIds: [],
    });
  }
  const fail = (why: string) => new QkdConfigError(`baseUrl "${url.href}" ${why}`, { endpoint: url.href, saeIds: [] });
  if (url.protocol === 'http:' && !allowPlainHttp) {
    throw fail('uses plain http: ETSI GS QKD 014 requires HTTPS (set allowPlainHttp only for local tests)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail(`has protocol ${url.protocol}; expected https:`);
  if (url.search || url.hash) throw fail('must not have a query string or fragment');
  if (url.username || url.password) throw fail('must not carry credentials; the KME authenticates us by client certificate');
  // url.pathname is at least "/" for http(s), so the prefix is kept apart from the origin.
  const prefix = url.pathname.replace(/\/+$/, '');
  if (prefix.endsWith(API_PATH)) throw fail(`must be the part before ${API_PATH} (drop "${API_PATH}" from it)`);
  return `${url.origin}${prefix}`;
}

/** One path segment for an SAE ID, percent-encoded. */
function encodeSaeId(saeId: string, endpoint: string): string {
  if (typeof saeId !== 'string' || saeId.length === 0) {
    throw new QkdRequestError('SAE ID must be a non-empty string', { endpoint, saeIds: [] });
  }
  // URL parsers collapse "." and ".." segments even when percent-encoded, so they cannot be sent.
  if (saeId === '.' || saeId === '..') {
    throw new QkdRequestError(`SAE ID "${saeId}" cannot be expressed as a URL path segment`, { endpoint, saeIds: [saeId] });
  }
  try {
    return encodeURIComponent(saeId);
  } catch {
    throw new QkdRequestError('SAE ID is not well-formed Unicode (lone surrogate)', { endpoint, saeIds: [] });
  }
}

/** The full URL of an ETSI 014 operation, without query string. */
export function endpointUrl(root: string, saeId: string, operation: Operation): string {
  const keys = `${root}${API_PATH}`;
  return `${keys}/${encodeSaeId(saeId, `${keys}/?/${operation}`)}/${operation}`;
}
