// TLS to Redis for real: a redis-server that only speaks TLS (--tls-port, port 0) with a
// certificate from a throwaway CA made by openssl; a node that trusts the CA casts a vote, a
// node that does not refuses to start, naming the variables.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/config.ts';
import { castOneVote, startTestNode, until } from '../helpers/node.ts';
import { freeBasePort } from '../helpers/redis-cluster.ts';

const tls = suite('Redis over TLS: a trusted CA connects, an untrusted one fails fast');
let dir = '';
let port = 0;
let server: ResultPromise | undefined;

/** A CA and a server certificate for 127.0.0.1 signed by it (EC keys: quick to make). */
async function makeCertificates(): Promise<void> {
  const ssl = (...args: string[]) => execa('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=votestream test CA',
  );
  await ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
}

function accepts(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
      .once('connect', () => {
        socket.destroy();
        resolve(true);
      })
      .once('error', () => resolve(false));
  });
}

tls.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'votestream-tls-'));
  await makeCertificates();
  port = await freeBasePort(1);
  // Its own child (not daemonized), stopped by its pid in `after`.
  server = execa(
    'redis-server',
    [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      join(dir, 'server.pem'),
      '--tls-key-file',
      join(dir, 'server.key'),
      '--tls-ca-cert-file',
      join(dir, 'ca.pem'),
      '--tls-auth-clients',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { reject: false },
  );
  await until(accepts, 10_000, 'redis-server with --tls-port did not start (built without TLS?)');
});
tls.after(async () => {
  if (server?.pid) process.kill(server.pid, 'SIGTERM');
  await server;
  rmSync(dir, { recursive: true, force: true });
});

/** A node on the standalone TLS server: plain redis:// and VS_REDIS_TLS switch TLS on. */
const startOnTls = (env: Record<string, string>) =>
  startTestNode(
    { seeds: '' },
    { VS_REDIS_URL: `redis://127.0.0.1:${port}`, VS_REDIS_TLS: 'true', ...env },
  );

tls('a node that trusts the CA (VS_REDIS_TLS_CA) casts a vote', async () => {
  const node = await startOnTls({ VS_REDIS_TLS_CA: join(dir, 'ca.pem') });
  try {
    await castOneVote(node);
  } finally {
    await node.close();
  }
});

tls('without the CA the certificate is not trusted: the node refuses to start', async () => {
  const started = Date.now();
  try {
    const node = await startOnTls({});
    await node.close();
    assert.unreachable('the node started with an untrusted certificate');
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, /TLS to Redis failed/);
    assert.match((error as Error).message, /VS_REDIS_TLS_CA/);
  }
  assert.ok(Date.now() - started < 5000, 'it took too long');
});

tls('VS_REDIS_TLS_INSECURE skips verification (test benches only)', async () => {
  const node = await startOnTls({ VS_REDIS_TLS_INSECURE: 'true' });
  try {
    await castOneVote(node);
  } finally {
    await node.close();
  }
});

tls('a CA file that cannot be read is a configuration error naming it', async () => {
  try {
    const node = await startOnTls({ VS_REDIS_TLS_CA: join(dir, 'missing.pem') });
    await node.close();
    assert.unreachable('the node started without its CA file');
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, /^VS_REDIS_TLS_CA=.*missing\.pem/);
  }
});

tls.run();
