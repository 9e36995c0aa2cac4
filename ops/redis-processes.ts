// The redis-server processes of a local cluster: found on PATH, started from a redis.conf
// written per port, tracked by their pid files (never by name), stopped, restarted and
// marked as stopped on purpose so that a supervisor leaves them down.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { execa } from 'execa';
import { logSince, logSize } from './redis-log.ts';

/** What each server's redis.conf says besides its port and folder. */
export interface ServerSettings {
  /** cluster-node-timeout: how long a silent master has before its replica takes over. */
  nodeTimeoutMs?: number;
  /** Password of the `default` user (requirepass; replicas use it as masterauth). */
  password?: string;
  /** Redis 7's protected mode; off only for a private address (see ClusterLayout). */
  protectedMode?: boolean;
}

/** Raised for problems a person can fix; the CLI prints the message without a stack. */
export class RedisClusterError extends Error {
  override name = 'RedisClusterError';
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
 * Writes `<dir>/<port>/redis.conf` for one cluster-enabled, AOF-backed server and starts it
 * (daemonized, pid file beside its config). Throws RedisClusterError with its log's tail.
 */
export async function startServer(
  server: string,
  dir: string,
  host: string,
  port: number,
  layout: ServerSettings,
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
      // No AOF rewrite before the file reaches 1 GB (Redis's default: 64 MB, then each time it
      // doubles): a rewrite forks a child that takes a whole core for a second per ~100k
      // votes held, and on a small machine that stalled appends for the second it ran
      // (performance.md, seventh session). 1 GB is ~1.5 M votes per server; loading it at a
      // restart took ~1 s per 140 MB here.
      'auto-aof-rewrite-min-size 1gb',
      'save ""',
      // A signal always stops the server. By default Redis 7.0 refuses a shutdown while it
      // writes its first AOF (every replica does, after each full sync: "Writing initial AOF,
      // can't exit.") and then ignores that signal for good, so a stop waited for its SIGKILL.
      // force exits anyway, as SIGKILL would, but at once and with the AOF it has fsynced: a
      // replica's AOF may then predate the sync, and it syncs again from its master when it
      // starts. A master still waits (shutdown-timeout) for its replicas to catch up.
      'shutdown-on-sigterm force',
      'shutdown-on-sigint force',
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

/** A server that did not stop on SIGTERM and was killed, and what it logged meanwhile. */
export interface KilledServer {
  port: number;
  pid: number;
  /** Time from its SIGTERM to its SIGKILL (ms). */
  waitedMs: number;
  /** The last lines its log gained after the SIGTERM, on one line; empty if none. */
  logAfterSigterm: string;
}

/** One line on a killed server: which, when, and what it said it was doing instead. */
export function describeKill({ port, pid, waitedMs, logAfterSigterm }: KilledServer): string {
  const said = logAfterSigterm
    ? `its log since SIGTERM: ${logAfterSigterm}`
    : 'it logged nothing since SIGTERM (stopped, or busy without returning to its event loop)';
  return `redis-server on ${port} did not stop within ${Math.round(waitedMs)} ms of SIGTERM: killed (SIGKILL, pid ${pid}); ${said}`;
}

/**
 * Stops exactly the redis-server processes this cluster's folder started (its pid files),
 * never by name: SIGTERM, then SIGKILL for those still running after `graceMs`, each told
 * to `onKilled` (by default a line on stderr: a kill is never silent). Returns the ports it
 * stopped.
 */
export async function redisDown(
  layout: { dir: string },
  {
    graceMs = 10_000,
    onKilled = (killed) => {
      for (const k of killed) process.stderr.write(`${describeKill(k)}\n`);
    },
  }: { graceMs?: number; onKilled?: (killed: KilledServer[]) => void } = {},
): Promise<number[]> {
  const dir = resolve(layout.dir);
  // Said before any signal, so a supervisor (ops/redis-supervisor.ts, under `votestream up`)
  // never takes a stopping server for a crashed one and starts it again.
  if (existsSync(dir)) writeFileSync(stopMarker(dir), `${new Date().toISOString()}\n`);
  const owned = ownedProcesses(dir).map((o) => ({ ...o, logFrom: logSize(logFile(dir, o.port)) }));
  const signalled = performance.now();
  for (const { pid } of owned) signal(pid, 'SIGTERM');
  await waitFor(
    async () => owned.every(({ pid }) => !alive(pid)),
    graceMs,
    () => 'redis-server did not stop',
  ).catch(() => {
    // A frozen server, or one that refused the shutdown, gets the hard stop; its AOF is still
    // consistent. Its log says which (startServer's config makes a refusal unlikely).
    const left = owned.filter(({ pid }) => running(pid));
    for (const { pid } of left) signal(pid, 'SIGKILL');
    const waitedMs = performance.now() - signalled;
    if (left.length)
      onKilled(
        left.map(({ port, pid, logFrom }) => ({
          port,
          pid,
          waitedMs,
          logAfterSigterm: logSince(logFile(dir, port), logFrom),
        })),
      );
  });
  for (const { port } of owned) rmSync(join(dir, String(port), 'redis.pid'), { force: true });
  return owned.map((o) => o.port);
}

function logFile(dir: string, port: number): string {
  return join(dir, String(port), 'redis.log');
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

/**
 * Says that the folder's servers are meant to run from now on: a supervisor may restart
 * them again (undoes `redisDown`'s marker).
 */
export function clearStopMarker(dir: string): void {
  rmSync(stopMarker(resolve(dir)), { force: true });
}

function stopMarker(dir: string): string {
  return join(dir, 'stopped');
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

/** Whether a process with this pid exists (a zombie too). */
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

/** Polls `check` every 100 ms until it holds; throws RedisClusterError(message()) after `timeoutMs`. */
export async function waitFor(
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

/** The last `n` lines of a log, on one line. */
export function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
