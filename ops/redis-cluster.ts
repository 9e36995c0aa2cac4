// A local Redis Cluster for development, tests and chaos runs: redis-server processes
// started from PATH, tracked by their pid files, formed with `redis-cli --cluster create`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { execa } from 'execa';
import { Redis } from 'ioredis';

export interface ClusterLayout {
  host?: string;
  /** First port; nodes use port … port + masters × (1 + replicas) − 1. */
  port: number;
  masters: number;
  replicas: number;
  /** Data, configuration, pid files and logs, one subfolder per port. */
  dir: string;
  /** cluster-node-timeout: how long a silent master has before its replica takes over. */
  nodeTimeoutMs?: number;
  /**
   * Password of the `default` user (requirepass; replicas use it as masterauth). It is
   * written to each server's redis.conf in `dir`, so keep that folder private.
   */
  password?: string;
  /**
   * Redis 7's protected mode (default on) refuses clients that do not come over loopback when
   * no password is set. Turn it off only for a private address, such as the veth pair of the
   * chaos runner's partition scenario.
   */
  protectedMode?: boolean;
}

export interface MasterStatus {
  id: string;
  address: string;
  port: number;
  slots: number;
  ranges: string[];
  replicas: number;
  failed: boolean;
}

export interface ReplicaStatus {
  id: string;
  address: string;
  port: number;
  masterId: string;
  masterAddress: string | undefined;
  /** `up` once the replica has synced and streams the master's writes. */
  link: string;
  failed: boolean;
}

export interface ClusterStatus {
  state: string;
  slotsAssigned: number;
  slotsOk: number;
  masters: MasterStatus[];
  replicas: ReplicaStatus[];
}

/** Raised for problems a person can fix; the CLI prints the message without a stack. */
export class RedisClusterError extends Error {
  override name = 'RedisClusterError';
}

const HOST = '127.0.0.1';

export function layoutPorts(layout: ClusterLayout): number[] {
  const count = layout.masters * (1 + layout.replicas);
  return Array.from({ length: count }, (_, i) => layout.port + i);
}

/** Finds redis-server and redis-cli on PATH, or explains how to install them. */
export function requireRedisTools(): { server: string; cli: string } {
  const find = (name: string) =>
    (process.env.PATH ?? '')
      .split(delimiter)
      .map((d) => join(d, name))
      .find((p) => existsSync(p));
  const server = find('redis-server');
  const cli = find('redis-cli');
  if (!server || !cli) {
    throw new RedisClusterError(
      `${server ? 'redis-cli' : 'redis-server'} was not found on PATH. Install Redis 7 or newer: ` +
        '`apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).',
    );
  }
  return { server, cli };
}

/**
 * Starts (or finds running) a local Redis Cluster and returns once every slot is served
 * and every replica's link is up — before that, WAIT would report 0 replicas.
 */
export async function redisUp(
  layout: ClusterLayout,
  timeoutMs = 30_000,
): Promise<{ alreadyRunning: boolean; status: ClusterStatus }> {
  const { server, cli } = requireRedisTools();
  const host = layout.host ?? HOST;
  const ports = layoutPorts(layout);
  const dir = resolve(layout.dir);
  const expected = { masters: layout.masters, replicas: layout.masters * layout.replicas };

  // From here on the folder's servers are meant to run: a supervisor may restart them again.
  rmSync(stopMarker(dir), { force: true });
  const { password } = layout;
  const answering = await Promise.all(ports.map((p) => ping(host, p, password)));
  if (answering.every(Boolean)) {
    const status = await clusterStatus(host, ports, password);
    if (isReady(status, expected)) return { alreadyRunning: true, status };
  }
  for (const [i, port] of ports.entries()) {
    if (answering[i] && !ownedPid(dir, port)) {
      throw new RedisClusterError(
        `port ${port} is already in use by a Redis that this cluster (${dir}) did not start; choose another --port`,
      );
    }
  }

  const started = ports.filter((_, i) => !answering[i]);
  await Promise.all(started.map((port) => startServer(server, dir, host, port, layout)));
  await waitFor(
    async () => (await Promise.all(ports.map((p) => ping(host, p, password)))).every(Boolean),
    5_000,
    () => `redis-server did not answer on ports ${ports.join(', ')}: see the logs in ${dir}`,
  );

  if (await isFresh(host, ports, password)) {
    const nodes = ports.map((p) => `${host}:${p}`);
    const created = await execa(
      cli,
      [
        '--cluster',
        'create',
        ...nodes,
        '--cluster-replicas',
        String(layout.replicas),
        '--cluster-yes',
      ],
      // REDISCLI_AUTH rather than -a: a password on the command line shows in `ps`.
      { reject: false, timeout: 30_000, env: password ? { REDISCLI_AUTH: password } : {} },
    );
    if (created.exitCode !== 0) {
      throw new RedisClusterError(
        `redis-cli --cluster create failed: ${lastLines(String(created.stdout) + String(created.stderr))}`,
      );
    }
  }

  let status: ClusterStatus | undefined;
  await waitFor(
    async () => {
      status = await clusterStatus(host, ports, password);
      return isReady(status, expected) && (await allNodesOk(host, ports, password));
    },
    timeoutMs,
    () => `the cluster did not become ready in ${timeoutMs} ms: ${JSON.stringify(status)}`,
  );
  return { alreadyRunning: false, status: status! };
}

/**
 * Stops exactly the redis-server processes this cluster's folder started (its pid files),
 * never by name: SIGTERM, then SIGKILL for those still running after `graceMs` (whose ports
 * go to `onKilled`). Returns the ports it stopped.
 */
export async function redisDown(
  layout: Pick<ClusterLayout, 'dir'>,
  { graceMs = 10_000, onKilled }: { graceMs?: number; onKilled?: (ports: number[]) => void } = {},
): Promise<number[]> {
  const dir = resolve(layout.dir);
  // Said before any signal, so a supervisor (ops/redis-supervisor.ts, under `votestream up`)
  // never takes a stopping server for a crashed one and starts it again.
  if (existsSync(dir)) writeFileSync(stopMarker(dir), `${new Date().toISOString()}\n`);
  const owned = ownedProcesses(dir);
  for (const { pid } of owned) signal(pid, 'SIGTERM');
  await waitFor(
    async () => owned.every(({ pid }) => !alive(pid)),
    graceMs,
    () => 'redis-server did not stop',
  ).catch(() => {
    // A server stuck in a long fsync (or stopped) gets the hard stop; its AOF is still consistent.
    const left = owned.filter(({ pid }) => running(pid));
    for (const { pid } of left) signal(pid, 'SIGKILL');
    if (left.length) onKilled?.(left.map((o) => o.port));
  });
  for (const { port } of owned) rmSync(join(dir, String(port), 'redis.pid'), { force: true });
  return owned.map((o) => o.port);
}

/**
 * Starts one server of the cluster again from its own configuration (after a crash or a
 * fault injection); a master that was failed over rejoins as a replica of its successor.
 */
export async function restartRedisNode(dir: string, port: number): Promise<void> {
  const { server } = requireRedisTools();
  const conf = join(resolve(dir), String(port), 'redis.conf');
  if (!existsSync(conf)) throw new RedisClusterError(`no redis.conf for port ${port} in ${dir}`);
  const result = await execa(server, [conf], { reject: false, timeout: 10_000 });
  if (result.exitCode !== 0)
    throw new RedisClusterError(`redis-server on port ${port} failed to restart`);
}

/**
 * Whether the folder's servers were stopped on purpose (`redisDown`) since they were last
 * started by `redisUp`: then none of them is to be restarted.
 */
export function stoppedOnPurpose(dir: string): boolean {
  return existsSync(stopMarker(resolve(dir)));
}

/**
 * Whether the server on `port` ended without shutting down: its pid file is still there (a
 * clean shutdown — SIGTERM, SHUTDOWN — removes it) but names no running redis-server.
 */
export function crashed(dir: string, port: number): boolean {
  const home = resolve(dir);
  return existsSync(join(home, String(port), 'redis.pid')) && ownedPid(home, port) === undefined;
}

function stopMarker(dir: string): string {
  return join(dir, 'stopped');
}

/** Immediate SIGKILL of every server the folder started; for test teardown in an exit hook. */
export function killClusterSync(dir: string): void {
  for (const { pid } of ownedProcesses(resolve(dir))) signal(pid, 'SIGKILL');
}

/** The pids of this folder's running servers, by port (for fault injection). */
export function ownedProcesses(dir: string): { port: number; pid: number }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d+$/.test(name))
    .map((name) => ({ port: Number(name), pid: ownedPid(dir, Number(name)) }))
    .filter((o): o is { port: number; pid: number } => o.pid !== undefined);
}

/** Reads the cluster's topology and replication state from any answering node. */
export async function clusterStatus(
  host: string,
  ports: number[],
  password?: string,
): Promise<ClusterStatus> {
  let lastError: unknown;
  for (const port of ports) {
    const redis = connect(host, port, password);
    try {
      const [info, nodes] = await Promise.all([
        redis.cluster('INFO') as Promise<string>,
        redis.cluster('NODES') as Promise<string>,
      ]);
      return await describe(host, info, nodes, password);
    } catch (error) {
      lastError = error;
    } finally {
      redis.disconnect();
    }
  }
  throw new RedisClusterError(
    `no Redis Cluster node answers on ${host}:${ports.join(',')}: ${(lastError as Error)?.message}`,
  );
}

async function describe(
  host: string,
  info: string,
  nodesText: string,
  password: string | undefined,
): Promise<ClusterStatus> {
  const field = (name: string) => info.match(new RegExp(`^${name}:(.*)$`, 'm'))?.[1]?.trim() ?? '';
  const nodes = nodesText
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', addr = '', flags = '', master = '', , , , , ...slots] = line
        .trim()
        .split(' ');
      const address = addr.split('@')[0] ?? '';
      const ranges = slots.filter((s) => !s.startsWith('['));
      const count = ranges.reduce((n, r) => {
        const [a, b] = r.split('-').map(Number);
        return n + ((b ?? a ?? 0) - (a ?? 0) + 1);
      }, 0);
      return { id, address, flags: flags.split(','), master, ranges, count };
    });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const masters = nodes.filter((n) => n.flags.includes('master'));
  const replicas = nodes.filter((n) => n.flags.includes('slave'));
  const links = await Promise.all(
    replicas.map(async (r) => {
      const redis = connect(host, portOf(r.address), password);
      try {
        const text = (await redis.info('replication')) as string;
        return text.match(/^master_link_status:(\w+)/m)?.[1] ?? 'unknown';
      } catch {
        return 'unreachable';
      } finally {
        redis.disconnect();
      }
    }),
  );
  return {
    state: field('cluster_state'),
    slotsAssigned: Number(field('cluster_slots_assigned')),
    slotsOk: Number(field('cluster_slots_ok')),
    masters: masters
      .map((m) => ({
        id: m.id,
        address: m.address,
        port: portOf(m.address),
        slots: m.count,
        ranges: m.ranges,
        replicas: replicas.filter((r) => r.master === m.id).length,
        failed: m.flags.includes('fail'),
      }))
      .sort((a, b) => a.port - b.port),
    replicas: replicas
      .map((r, i) => ({
        id: r.id,
        address: r.address,
        port: portOf(r.address),
        masterId: r.master,
        masterAddress: byId.get(r.master)?.address,
        link: links[i] ?? 'unknown',
        failed: r.flags.includes('fail'),
      }))
      .sort((a, b) => a.port - b.port),
  };
}

function isReady(status: ClusterStatus, expected: { masters: number; replicas: number }): boolean {
  const liveMasters = status.masters.filter((m) => !m.failed && m.slots > 0);
  return (
    status.state === 'ok' &&
    status.slotsOk === 16384 &&
    liveMasters.length === expected.masters &&
    status.replicas.filter((r) => r.link === 'up' && !r.failed).length === expected.replicas
  );
}

/** Each node must see the cluster as ok, not just the one that answered first. */
async function allNodesOk(host: string, ports: number[], password?: string): Promise<boolean> {
  const states = await Promise.all(
    ports.map(async (port) => {
      const redis = connect(host, port, password);
      try {
        return /cluster_state:ok/.test((await redis.cluster('INFO')) as string);
      } catch {
        return false;
      } finally {
        redis.disconnect();
      }
    }),
  );
  return states.every(Boolean);
}

async function isFresh(host: string, ports: number[], password?: string): Promise<boolean> {
  const redis = connect(host, ports[0]!, password);
  try {
    const info = (await redis.cluster('INFO')) as string;
    return /cluster_known_nodes:1\b/.test(info) && /cluster_slots_assigned:0\b/.test(info);
  } finally {
    redis.disconnect();
  }
}

async function startServer(
  server: string,
  dir: string,
  host: string,
  port: number,
  layout: ClusterLayout,
): Promise<void> {
  const home = join(dir, String(port));
  mkdirSync(home, { recursive: true });
  const conf = join(home, 'redis.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      `bind ${host}`,
      `dir ${home}`,
      'daemonize yes',
      `pidfile ${join(home, 'redis.pid')}`,
      `logfile ${join(home, 'redis.log')}`,
      'cluster-enabled yes',
      'cluster-config-file nodes.conf',
      `cluster-node-timeout ${layout.nodeTimeoutMs ?? 3000}`,
      // A master that fails stops only its own slots: the others keep serving while its
      // replica takes over (the default, yes, refuses every command cluster-wide meanwhile).
      'cluster-require-full-coverage no',
      // The log of record: every write is appended and fsynced once a second.
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      // Replicas sync at once instead of waiting for more replicas to batch with.
      'repl-diskless-sync yes',
      'repl-diskless-sync-delay 0',
      ...(layout.password
        ? [`requirepass ${quoted(layout.password)}`, `masterauth ${quoted(layout.password)}`]
        : []),
      ...(layout.protectedMode === false ? ['protected-mode no'] : []),
      '',
    ].join('\n'),
  );
  const result = await execa(server, [conf], { reject: false, timeout: 10_000 });
  if (result.exitCode !== 0) {
    const log = join(home, 'redis.log');
    const tail = existsSync(log) ? lastLines(readFileSync(log, 'utf8')) : String(result.stderr);
    throw new RedisClusterError(`redis-server on port ${port} failed to start: ${tail}`);
  }
}

/** The pid of the redis-server the folder started on `port`, if it runs. */
export function ownedPid(dir: string, port: number): number | undefined {
  const file = join(dir, String(port), 'redis.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  // A stale pid file may name a process that has since been reused by something else.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('redis-server') && cmdline.includes(`:${port}`) ? pid : undefined;
  } catch {
    return alive(pid) && process.platform !== 'linux' ? pid : undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Alive and not a zombie: an exited server that init has not reaped yet needs no SIGKILL. */
function running(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone: that is the state we want.
  }
}

/** A redis.conf string value: quoted, with quotes and backslashes escaped. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function connect(host: string, port: number, password?: string): Redis {
  return new Redis({
    host,
    port,
    ...(password ? { password } : {}),
    lazyConnect: false,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: true,
  }).on('error', () => {
    // Connection errors surface through the command's rejected promise.
  });
}

async function ping(host: string, port: number, password?: string): Promise<boolean> {
  const redis = connect(host, port, password);
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  message: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new RedisClusterError(message());
    await new Promise((r) => setTimeout(r, 100));
  }
}

function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
