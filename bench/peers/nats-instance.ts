// Private nats-server processes with JetStream (file store) for the peer benchmark: one server,
// or a 3-server cluster (routes between them, so streams of replicas 3 have a Raft group). Free
// ports, a temp store directory each: never the system's server on 4222. Stopped by the pids
// this process started.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from '../harness.ts';

/** nats-server's version (`v2.9.10`), or why the peer cannot run. */
export function findNatsServer(): { version: string } | { missing: string } {
  try {
    const out = execFileSync('nats-server', ['--version'], { encoding: 'utf8' });
    return { version: out.match(/v\d+\.\d+\.\d+/)?.[0] ?? out.trim() };
  } catch {
    return { missing: 'no nats-server on PATH, needs Debian package nats-server' };
  }
}

export interface NatsCluster {
  /** Client addresses, `127.0.0.1:port`, one per server. */
  servers: string[];
  pids: number[];
  stop(): Promise<void>;
}

/** Starts `size` JetStream servers (1, or a cluster of 3) and resolves once each accepts. */
export async function startNats(size: number): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'votestream-peer-nats-'));
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
  }
  const children: ResultPromise[] = [];
  const onExit = () => {
    for (const c of children) if (c.pid !== undefined) killQuietly(c.pid);
  };
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(children);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const name = `n${i + 1}`;
      const lines = [
        `server_name: ${name}`,
        `listen: 127.0.0.1:${clientPorts[i]}`,
        `jetstream { store_dir: "${join(dir, name)}" }`,
      ];
      if (size > 1) {
        const routes = routePorts.map((p) => `nats-route://127.0.0.1:${p}`).join(', ');
        lines.push(
          `cluster { name: peers, listen: 127.0.0.1:${routePorts[i]}, routes: [${routes}] }`,
        );
      }
      const conf = join(dir, `${name}.conf`);
      writeFileSync(conf, `${lines.join('\n')}\n`);
      children.push(
        execa('nats-server', ['-c', conf], {
          reject: false,
          stdin: 'ignore',
          stdout: 'ignore',
          stderr: { file: join(dir, `${name}.log`) },
          forceKillAfterDelay: false,
        }),
      );
    }
    await Promise.all(clientPorts.map((p) => accepting(p)));
    return {
      servers: clientPorts.map((p) => `127.0.0.1:${p}`),
      pids: children.map((c) => c.pid!),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

async function accepting(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
