import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nextStep, type RetryPolicy, retryAfterSeconds } from '../../src/client/retry-policy.ts';
import { ServerEventParser } from '../../src/client/server-events.ts';
import { chunked } from '../../src/client/vote-batches.ts';

const POLICY: RetryPolicy = {
  maxAttempts: 5,
  deadlineMs: 10_000,
  maxRetryAfterMs: 3_000,
  backoffMs: { first: 100, max: 1_000 },
};
const at = (o: Partial<Parameters<typeof nextStep>[1]> = {}) => ({
  attempt: 1,
  elapsedMs: 0,
  nodeIndex: 0,
  nodes: 3,
  repeatable: false,
  ...o,
});

const policy = suite('the retry policy');

policy('a 503 waits its Retry-After, capped, and moves to the next node', () => {
  assert.equal(nextStep({ kind: 'answer', status: 503, retryAfterS: 2 }, at(), POLICY), {
    retry: true,
    delayMs: 2000,
    nodeIndex: 1,
  });
  assert.equal(nextStep({ kind: 'answer', status: 503, retryAfterS: 60 }, at(), POLICY), {
    retry: true,
    delayMs: 3000,
    nodeIndex: 1,
  });
});

policy('a 503 without Retry-After backs off, doubling to the cap', () => {
  const delays = [1, 2, 3, 4].map((attempt) => {
    const step = nextStep({ kind: 'answer', status: 503 }, at({ attempt }), POLICY);
    return step.retry ? step.delayMs : -1;
  });
  assert.equal(delays, [100, 200, 400, 800]);
});

policy('4xx and 500 are final; 429 is retried like a 503', () => {
  for (const status of [400, 401, 403, 404, 409, 422, 500])
    assert.equal(nextStep({ kind: 'answer', status }, at({ repeatable: true }), POLICY), {
      retry: false,
    });
  assert.ok(nextStep({ kind: 'answer', status: 429 }, at(), POLICY).retry);
});

policy('a request that never reached a node fails over at once, then backs off', () => {
  assert.equal(nextStep({ kind: 'network', sent: false }, at({ nodeIndex: 2 }), POLICY), {
    retry: true,
    delayMs: 0,
    nodeIndex: 0,
  });
  assert.equal(nextStep({ kind: 'network', sent: false }, at({ attempt: 3 }), POLICY), {
    retry: true,
    delayMs: 400,
    nodeIndex: 1,
  });
});

policy('a request that may have reached a node goes again only when repeatable', () => {
  assert.equal(nextStep({ kind: 'network', sent: true }, at(), POLICY), { retry: false });
  assert.ok(nextStep({ kind: 'network', sent: true }, at({ repeatable: true }), POLICY).retry);
});

policy('no retry past the attempts or the deadline', () => {
  const busy = { kind: 'answer', status: 503, retryAfterS: 1 } as const;
  assert.equal(nextStep(busy, at({ attempt: 5 }), POLICY), { retry: false });
  assert.equal(nextStep(busy, at({ elapsedMs: 9_500 }), POLICY), { retry: false });
  assert.ok(nextStep(busy, at({ elapsedMs: 8_500 }), POLICY).retry);
});

policy('Retry-After: seconds, an HTTP date, or nothing', () => {
  assert.is(retryAfterSeconds('3'), 3);
  assert.is(retryAfterSeconds(undefined), undefined);
  assert.is(retryAfterSeconds('soon'), undefined);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.is(retryAfterSeconds('Thu, 01 Jan 2026 00:00:05 GMT', now), 5);
  assert.is(retryAfterSeconds('Wed, 31 Dec 2025 23:59:00 GMT', now), 0);
});
policy.run();

const events = suite('server-sent events');

events('events split across chunks, CRLF, comments, multi-line data and ids', () => {
  const parser = new ServerEventParser();
  const text = 'retry: 1000\r\n\r\n: keepalive\n\nid: 1\nevent: tally\ndata: {"a":\ndata: 1}\n\n';
  const seen = [...text].flatMap((c) => parser.push(c));
  assert.equal(seen, [{ event: 'tally', data: '{"a":\n1}', id: '1' }]);
  assert.equal(parser.push('data: x\r'), []);
  assert.equal(parser.push('\n\r\n'), [{ event: 'message', data: 'x', id: '1' }]);
});
events.run();

const batches = suite('cutting votes into batches');

batches('in order, by count and by bytes', async () => {
  const items = Array.from({ length: 7 }, (_, i) => ({ n: i, pad: 'x'.repeat(10) }));
  const byCount: number[][] = [];
  for await (const c of chunked(items, { maxItems: 3, maxBytes: 1e6 }))
    byCount.push(c.map((x) => x.n));
  assert.equal(byCount, [[0, 1, 2], [3, 4, 5], [6]]);
  const size = JSON.stringify(items[0]).length + 1;
  const byBytes: number[][] = [];
  for await (const c of chunked(items, { maxItems: 100, maxBytes: 2 * size }))
    byBytes.push(c.map((x) => x.n));
  assert.equal(byBytes, [[0, 1], [2, 3], [4, 5], [6]]);
});
batches.run();
