// Private PostgreSQL servers for the peer benchmark: a primary, and optionally a streaming
// standby that the primary waits for (synchronous_standby_names, synchronous_commit
// remote_write). Each in its own temp data directory, on a free port, its socket in that
// directory: never the system's instance on 5432. Stopped by the pid this process started.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import pg from 'pg';
import { freePort } from '../harness.ts';

export interface PostgresSetup {
  /** The directory holding initdb, postgres and pg_basebackup. */
  bin: string;
  version: string;
  /** Run as this user (as root: PostgreSQL refuses to run as root). */
  user?: { name: string; uid: number; gid: number };
}

/** The Debian package's binaries and a user to run them as, or why the peer cannot run. */
export function findPostgres(): PostgresSetup | { missing: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const version = versions.find((v) =>
    ['initdb', 'postgres', 'pg_basebackup'].every((b) => existsSync(join(root, v, 'bin', b))),
  );
  if (!version)
    return { missing: `no ${root}/<version>/bin/postgres, needs Debian package postgresql` };
  const bin = join(root, version, 'bin');
  if (process.getuid?.() !== 0) return { bin, version };
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { bin, version, user: { name: 'postgres', uid: id('-u'), gid: id('-g') } };
  } catch {
    return {
      missing:
        'running as root and there is no "postgres" user to run PostgreSQL as (PostgreSQL refuses root; Debian package postgresql creates the user)',
    };
  }
}

export interface PostgresServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The command line that runs `tool` as the setup's user (setpriv execs in place: same pid). */
function asUser(setup: PostgresSetup, tool: string, args: string[]): [string, string[]] {
  const path = join(setup.bin, tool);
  if (!setup.user) return [path, args];
  const u = setup.user;
  return ['setpriv', [`--reuid=${u.uid}`, `--regid=${u.gid}`, '--init-groups', path, ...args]];
}

function dataDir(setup: PostgresSetup, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `votestream-peer-${name}-`));
  if (setup.user) chownSync(dir, setup.user.uid, setup.user.gid);
  return dir;
}

async function run(setup: PostgresSetup, tool: string, args: string[]): Promise<void> {
  const [command, argv] = asUser(setup, tool, args);
  const result = await execa(command, argv, { reject: false, all: true, stdin: 'ignore' });
  if (result.exitCode !== 0)
    throw new Error(`${tool} exited with ${result.exitCode}: ${String(result.all).slice(-800)}`);
}

/** Starts `postgres -D dir` with `settings`; resolves once it answers a query. */
async function startPostmaster(
  setup: PostgresSetup,
  dir: string,
  settings: Record<string, string>,
): Promise<PostgresServer> {
  const port = await freePort();
  const all = { ...settings, port: String(port), listen_addresses: '127.0.0.1' };
  const args = ['-D', dir, '-c', `unix_socket_directories=${dir}`];
  for (const [k, v] of Object.entries(all)) args.push('-c', `${k}=${v}`);
  const [command, argv] = asUser(setup, 'postgres', args);
  const child: ResultPromise = execa(command, argv, {
    reject: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: { file: `${dir}.log` },
    forceKillAfterDelay: false,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`postgres did not start: ${dir}.log`);
  // Immediate shutdown if this process ends without stopping it (the postmaster then stops its
  // backends itself); SIGQUIT to the pid started here, nothing else.
  const onExit = () => {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', onExit);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      // SIGINT: fast shutdown (rolls back open transactions, checkpoints, exits).
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGQUIT'), 15_000);
      await child;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return { url, pid, stop };
    } catch (error) {
      await client.end().catch(() => {});
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`postgres on ${port} did not start (${String(error)}); see ${dir}.log`);
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface PostgresCluster {
  primary: PostgresServer;
  standby?: PostgresServer;
  /** Postmaster pids (their backends are their children). */
  pids: number[];
  stop(): Promise<void>;
}

/**
 * A primary with synchronous_commit on (fsync'd WAL before a commit returns) and, with
 * `standby`, a streaming replica the primary waits for: synchronous_commit remote_write, a
 * commit returns once the standby has written the WAL to its OS (not fsync'd), the same
 * promise as votestream's WAIT 1 (a replica has it in memory). Resolves once the standby is
 * synchronous. Removes its directories on stop.
 */
export async function startPostgres(
  setup: PostgresSetup,
  { standby }: { standby: boolean },
): Promise<PostgresCluster> {
  const dirs: string[] = [];
  const servers: PostgresServer[] = [];
  const stop = async () => {
    for (const s of servers.reverse()) await s.stop();
    for (const d of dirs) {
      rmSync(d, { recursive: true, force: true });
      rmSync(`${d}.log`, { force: true });
    }
  };
  try {
    const primaryDir = dataDir(setup, 'pg-primary');
    dirs.push(primaryDir);
    // --no-sync: only initdb's own files skip fsync; every commit of the run is fsync'd.
    await run(setup, 'initdb', [
      ...['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    ]);
    const primary = await startPostmaster(setup, primaryDir, {
      synchronous_commit: standby ? 'remote_write' : 'on',
      fsync: 'on',
      ...(standby ? { synchronous_standby_names: '*' } : {}),
    });
    servers.push(primary);
    if (!standby) return { primary, pids: [primary.pid], stop };
    const standbyDir = dataDir(setup, 'pg-standby');
    dirs.push(standbyDir);
    const port = new URL(primary.url).port;
    // -R writes standby.signal and primary_conninfo; -X stream copies the WAL as it goes.
    await run(setup, 'pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', port, '-U', 'postgres', '-D', standbyDir],
      ...['-X', 'stream', '-R', '-c', 'fast'],
    ]);
    const replica = await startPostmaster(setup, standbyDir, { hot_standby: 'on' });
    servers.push(replica);
    await synchronous(primary.url);
    return { primary, standby: replica, pids: [primary.pid, replica.pid], stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until the primary reports a standby in sync_state 'sync'. */
async function synchronous(url: string, timeoutMs = 30_000): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query(
        "SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync'",
      );
      if (rows.length) return;
      if (Date.now() > deadline) throw new Error(`no synchronous standby after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await client.end();
  }
}
