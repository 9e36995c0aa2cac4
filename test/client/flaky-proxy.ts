// A tiny HTTP proxy in front of one node, for the client's tests: it can answer the first
// requests itself with 503 and Retry-After (nothing forwarded), or forward a request and then
// drop the connection instead of answering (the vote lands; the client never hears of it), or
// forward a vote and answer 503 naming its voteId (the vote lands; the client is told to retry).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface FlakyProxy {
  url: string;
  /** Requests seen, by method and path, in order. */
  seen: { method: string; path: string; body: string; at: number }[];
  /** The next `n` requests are answered 503 with `Retry-After: seconds`, not forwarded. */
  refuse(n: number, seconds: number): void;
  /** The next `n` requests are forwarded, then their connection is destroyed unanswered. */
  dropAnswers(n: number): void;
  /**
   * The next `n` vote requests are forwarded, and their answer turned into the 503 a node gives
   * when it cannot tell whether a vote was written: STORAGE_UNAVAILABLE naming the voteId
   * (the node's own when the vote had none) with Retry-After: 0. POST /votes/batch: only the
   * results at `items` (indexes into that request's votes) become such 503s.
   */
  unsure(n: number, items?: number[]): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (a base URL) on a free port of 127.0.0.1. */
export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  let refusals = 0;
  let retryAfter = 0;
  let drops = 0;
  let unsure = 0;
  let unsureItems: number[] = [];
  const seen: FlakyProxy['seen'] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', body, at: performance.now() });
    if (refusals > 0) {
      refusals--;
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      res.end(JSON.stringify({ error: { code: 'OVERLOADED', message: 'proxy says wait' } }));
      return;
    }
    const drop = drops > 0;
    if (drop) drops--;
    const upstream = await request(`${target}${req.url}`, {
      method: (req.method ?? 'GET') as 'GET',
      headers: { ...req.headers, host: new URL(target).host },
      body: body === '' ? null : body,
    });
    let text = await upstream.body.text();
    if (drop) {
      req.socket.destroy();
      return;
    }
    let status = upstream.statusCode;
    if (unsure > 0 && req.url?.startsWith('/votes')) {
      unsure--;
      const got = JSON.parse(text);
      if (req.url === '/votes/batch') {
        got.results = got.results.map((r: { receipt?: { voteId: string } }, i: number) =>
          unsureItems.includes(i) && r.receipt ? unsureReply(r.receipt.voteId) : r,
        );
        text = JSON.stringify(got);
      } else {
        status = 503;
        text = JSON.stringify({ error: unsureReply(got.receipt.voteId).error });
      }
    }
    const headers = Object.fromEntries(
      Object.entries(upstream.headers).filter(
        ([k]) => !['transfer-encoding', 'connection'].includes(k),
      ),
    );
    if (status === 503) headers['retry-after'] = '0';
    delete headers['content-length'];
    res.writeHead(status, headers);
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    refuse(n, seconds) {
      refusals = n;
      retryAfter = seconds;
    },
    dropAnswers(n) {
      drops = n;
    },
    unsure(n, items = []) {
      unsure = n;
      unsureItems = items;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A batch item (and, its `error`, a POST /votes body) of a 503 that names the vote's voteId. */
function unsureReply(voteId: string) {
  return {
    status: 503,
    error: { code: 'STORAGE_UNAVAILABLE', message: 'proxy: written or not, unknown', voteId },
  };
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
