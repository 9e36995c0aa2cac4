import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';

const redaction = suite('logs: secrets are [redacted] wherever they are logged');

const SECRETS = ['admin-secret-0123456789', 'redis-secret-pw', 'voter-secret-token'];

redaction('a config, request headers and Redis options never show their secrets', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info', nodeId: 'n1' }, { write: (line) => lines.push(line) });
  const config = loadConfig(
    { VS_ADMIN_TOKEN: SECRETS[0]!, VS_REDIS_PASSWORD: SECRETS[1]!, VS_REDIS_USERNAME: 'vs' },
    {},
  );
  log.info({ config }, 'starting');
  log.info({ ...config }, 'config spread at the top level');
  log
    .child({ component: 'http' })
    .warn(
      { req: { headers: { authorization: `Bearer ${SECRETS[0]}`, 'x-voter-token': SECRETS[2] } } },
      'request',
    );
  log.error({ redisOptions: { password: SECRETS[1] }, password: SECRETS[1] }, 'redis');
  log.info({ vote: { voterToken: SECRETS[2] }, token: SECRETS[2] }, 'vote');
  assert.is(lines.length, 5);
  const text = lines.join('');
  for (const secret of SECRETS) assert.not.ok(text.includes(secret), `${secret} was logged`);
  assert.ok((text.match(/\[redacted\]/g) ?? []).length >= 9);
  assert.match(text, /"redisUsername":"vs"/, 'what is not a secret is still logged');
});

redaction('voter tokens, lists of them and the voter secret never reach the log', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info' }, { write: (line) => lines.push(line) });
  log.info(
    {
      token: 'SECRET-1',
      ballot: { voterId: 'alice', token: 'SECRET-2' },
      tokens: [{ voterId: 'alice', token: 'SECRET-3' }],
      voterSecret: 'SECRET-4',
      config: { voterSecret: 'SECRET-5', adminToken: 'SECRET-6' },
    },
    'redaction check',
  );
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.is(line.msg, 'redaction check');
  assert.equal(line.ballot, { voterId: 'alice', token: '[redacted]' });
  assert.not.match(lines[0]!, /SECRET-/);
});

redaction.run();
