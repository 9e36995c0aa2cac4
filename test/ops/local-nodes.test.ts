// A node process that dies before it serves: the error says why, from the node's own output.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freeBasePort } from '../../ops/free-ports.ts';
import { startNodeProcess } from '../../ops/local-nodes.ts';

const start = suite('startNodeProcess');

start('a node whose port is taken: the error quotes its one-line reason', async () => {
  const port = await freeBasePort(1);
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'votestream-start-'));
  try {
    const started = startNodeProcess({
      nodeId: 'taken',
      port,
      // Nothing listens there: the node would start anyway and answer 503, but its port is taken.
      env: { VS_REDIS_CLUSTER: `127.0.0.1:${port + 1}`, VS_REDIS_URL: '', VS_LOG_LEVEL: 'warn' },
      output: join(dir, 'node.log'),
    });
    const error = await started.then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error, 'a node on a taken port must not start');
    assert.match(error.message, /^node taken exited with 2 before it served: .*already in use/);
  } finally {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

start.run();
