// A node that is stopping still answers the requests that reach it on a connection left open:
// the one in flight is finished, a later one gets 503 NOT_READY with Retry-After, in the API's
// error shape, and the connection is closed (src/http/stopping-replies.ts).
import { once } from 'node:events';
import { connect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPoll, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const stopping = suite('a stopping node: 503 NOT_READY with Retry-After, the connection closed');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The HTTP responses in `raw`, in order: status, headers (lower case), body. */
function responses(raw: string) {
  const out: { status: number; headers: Record<string, string>; body: string }[] = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(
      lines.map((l) => [
        l.slice(0, l.indexOf(':')).toLowerCase(),
        l.slice(l.indexOf(':') + 1).trim(),
      ]),
    );
    const length = Number(headers['content-length'] ?? 0);
    out.push({
      status: Number(statusLine!.split(' ')[1]),
      headers,
      body: rest.slice(end + 4, end + 4 + length),
    });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

/**
 * A node that begins to stop while a vote's body is half sent on a connection; then the rest of
 * the vote and `next` (raw HTTP) are sent on that connection. Returns the responses it got.
 */
async function pipelinedDuringStop(voterId: string, next: (pollId: string) => string) {
  const node = await startTestNode(
    await sharedCluster(),
    { VS_NODE_ID: `stopping-${voterId}` },
    { listen: true },
  );
  const pollId = await createPoll(node);
  const socket = connect(Number(new URL(node.url).port), '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString();
  });
  const ended = once(socket, 'close');
  const body = JSON.stringify({ pollId, voterId, choices: ['a'] });
  // The vote's headers and half its body: in flight when the stop begins.
  socket.write(
    `POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
  );
  await sleep(200);
  const stopped = node.close();
  await sleep(200);
  socket.write(`${body.slice(10)}${next(pollId)}`);
  await ended;
  await stopped;
  return { received, replies: responses(received) };
}

stopping('a vote pipelined behind one in flight when the stop began: 503 NOT_READY', async () => {
  const { received, replies } = await pipelinedDuringStop('v1', (pollId) => {
    const second = JSON.stringify({ pollId, voterId: 'v2', choices: ['a'] });
    return `POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${second.length}\r\n\r\n${second}GET /health HTTP/1.1\r\nHost: x\r\n\r\n`;
  });
  const [vote, later, ...more] = replies;
  // The vote in flight is finished.
  assert.ok(vote && vote.status >= 200 && vote.status < 300, received);
  assert.is(later?.status, 503, received);
  assert.is(later?.headers['retry-after'], '1', received);
  assert.is(later?.headers.connection, 'close', received);
  assert.is(JSON.parse(later!.body).error.code, 'NOT_READY', received);
  // The connection closed after the 503: GET /health behind it was never read.
  assert.equal(more, []);
});

stopping('GET /health of a stopping node: 503 unavailable, in its own shape', async () => {
  const { received, replies } = await pipelinedDuringStop(
    'v3',
    () => 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n',
  );
  const [vote, health, ...more] = replies;
  assert.ok(vote && vote.status >= 200 && vote.status < 300, received);
  assert.is(health?.status, 503, received);
  assert.is(health?.headers['retry-after'], '1', received);
  assert.is(health?.headers.connection, 'close', received);
  assert.is(JSON.parse(health!.body).status, 'unavailable', received);
  assert.equal(more, []);
});

stopping.run();
