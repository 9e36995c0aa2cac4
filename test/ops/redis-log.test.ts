import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { logGist } from '../../ops/redis-log.ts';

const gist = suite("the gist of a redis-server's log after a SIGTERM");

// What CI's replica logged after up's SIGTERM, up to its SIGKILL (Redis 7.0.15).
const refused = `24340:signal-handler (1796016587) Received SIGTERM scheduling shutdown...
24340:S 30 Nov 2026 05:29:47.232 # User requested shutdown...
24340:S 30 Nov 2026 05:29:47.232 # Writing initial AOF, can't exit.
24360:C 30 Nov 2026 05:29:49.745 * Successfully created the temporary AOF base file temp-rewriteaof-bg-24360.aof
24340:S 30 Nov 2026 05:29:49.766 * Background AOF rewrite terminated with success
24340:S 30 Nov 2026 05:29:49.780 * Background AOF rewrite finished successfully
`;

gist('a refused shutdown: its warnings, which say why, not the lines after them', () => {
  assert.is(
    logGist(refused),
    "05:29:47.232 # User requested shutdown... | 05:29:47.232 # Writing initial AOF, can't exit.",
  );
});

gist('no warning: the last three lines', () => {
  const busy = refused
    .split('\n')
    .filter((l) => !l.includes(' # '))
    .join('\n');
  assert.is(
    logGist(busy),
    '05:29:49.745 * Successfully created the temporary AOF base file temp-rewriteaof-bg-24360.aof | 05:29:49.766 * Background AOF rewrite terminated with success | 05:29:49.780 * Background AOF rewrite finished successfully',
  );
});

gist('nothing logged: empty', () => {
  assert.is(logGist(''), '');
  assert.is(logGist('\n\n'), '');
});

gist.run();
