// One HTTP request to one node through an undici Dispatcher (the load generator's pools, or
// the client's own Agent): its answer, or whether it may have reached the node before failing.
import type { Dispatcher } from 'undici';
import type { AttemptOutcome } from './retry-policy.ts';
import { retryAfterSeconds } from './retry-policy.ts';

/** One request, without its node. */
export interface Request {
  method: 'GET' | 'POST';
  /** Path and query, already encoded: `/polls/lunch/tally`. */
  path: string;
  /** JSON text of the body. */
  body?: string;
  headers?: Record<string, string>;
  /** `text` for /metrics; JSON otherwise (a body that is not JSON is kept as text). */
  expect?: 'json' | 'text';
}

/** What one attempt got: the answer, or the network failure and whether it reached the node. */
export type Attempted =
  | (Extract<AttemptOutcome, { kind: 'answer' }> & { body: unknown })
  | (Extract<AttemptOutcome, { kind: 'network' }> & { error: Error });

/**
 * Errors raised before a byte of the request can have reached a node: nothing can have been
 * written, so any request may be sent again (to this node or another).
 */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Sends `request` to `node` (a base URL) once. Resolves with the answer (any status) or the
 * network failure; rejects only when `signal` aborts it (the caller's decision, not a fault).
 * `timeoutMs` bounds the wait for the headers and then between body chunks.
 */
export async function attempt(
  node: string,
  request: Request,
  o: { dispatcher: Dispatcher; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<Attempted> {
  try {
    const res = await o.dispatcher.request({
      origin: node,
      path: request.path,
      method: request.method,
      headers: {
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers,
      },
      body: request.body ?? null,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      signal: o.signal ?? null,
    });
    const text = await res.body.text();
    const header = res.headers['retry-after'];
    const retryAfterS = retryAfterSeconds(Array.isArray(header) ? header[0] : header);
    return {
      kind: 'answer',
      status: res.statusCode,
      ...(retryAfterS === undefined ? {} : { retryAfterS }),
      body: request.expect === 'text' ? text : parsed(text),
    };
  } catch (error) {
    if (o.signal?.aborted) throw error;
    const code = (error as { code?: string }).code;
    return { kind: 'network', sent: !(code && NOT_SENT.has(code)), error: error as Error };
  }
}

/** JSON of a body, or the text itself when it is not JSON (a proxy's error page, say). */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not the API's JSON: the caller turns it into a BAD_REPLY with the text.
    return text;
  }
}
