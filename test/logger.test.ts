import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const redact = suite('logger redaction');

// pino writes to file descriptor 1 directly, so the line is read from a child process.
redact('voter tokens, the voter secret and the admin token never reach the log', async () => {
  const script = `
    const { createLogger } = await import('./src/logger.ts');
    createLogger({ level: 'info' }).info({
      token: 'SECRET-1',
      ballot: { voterId: 'alice', token: 'SECRET-2' },
      tokens: [{ voterId: 'alice', token: 'SECRET-3' }],
      voterSecret: 'SECRET-4',
      config: { voterSecret: 'SECRET-5', adminToken: 'SECRET-6' },
    }, 'redaction check');`;
  const { stdout } = await execa('node', ['--import', 'tsx', '--input-type=module', '-e', script]);
  const line = JSON.parse(String(stdout)) as Record<string, unknown>;
  assert.is(line.msg, 'redaction check');
  assert.equal(line.ballot, { voterId: 'alice', token: '[redacted]' });
  assert.not.match(String(stdout), /SECRET-/);
});

redact.run();
