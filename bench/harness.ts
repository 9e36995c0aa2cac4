// Shared parts of the benchmarks: a private Redis Cluster, node processes, autocannon runs,
// and the table. Benchmarks print what they measured; nothing here asserts a speed.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { execa, type ResultPromise } from 'execa';
import { redisUp } from '../ops/redis-cluster.ts';
import { killClusterSync, ownedProcesses, redisDown } from '../ops/redis-processes.ts';
import { freeBasePort } from '../test/helpers/redis-cluster.ts';

export interface BenchCluster {
  seeds: string;
  dir: string;
  /** The redis-server processes of this cluster (for CPU accounting). */
  pids(): number[];
  stop(): Promise<void>;
}

export async function startCluster(masters = 3, replicas = 1): Promise<BenchCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'votestream-bench-'));
  const onExit = () => killClusterSync(dir);
  process.once('exit', onExit);
  const port = await freeBasePort(masters * (1 + replicas));
  const { status } = await redisUp({ port, masters, replicas, dir });
  return {
    seeds: status.masters.map((m) => m.address).join(','),
    dir,
    pids: () => ownedProcesses(dir).map((o) => o.pid),
    async stop() {
      // Stopped here: no exit handler of it left behind (bench:peers starts one a round).
      process.removeListener('exit', onExit);
      await redisDown({ dir });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a process that serves HTTP on `port` and waits until `healthPath` answers. */
export async function startServer(
  args: string[],
  port: number,
  env: Record<string, string>,
  healthPath = '/health',
): Promise<{ child: ResultPromise; pid: number }> {
  const child = execa('node', args, { env, stdout: 'ignore', stderr: 'inherit', reject: false });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${healthPath}`);
      // Wrapped: returning the execa promise itself would wait for the process to exit.
      if (res.ok) return { child, pid: child.pid! };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`server ${args.join(' ')} did not start on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopServer({ child }: { child: ResultPromise }): Promise<void> {
  child.kill('SIGTERM');
  await child;
}

export interface LoadResult {
  /** Requests per second (mean over the run). */
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/**
 * Drives `url` with POSTs whose bodies `body(i)` makes, for `seconds`, on `connections`. Given
 * several URLs (the nodes of one system), autocannon spreads the connections over them round
 * robin and reports one latency histogram for all.
 */
export async function load(
  url: string | string[],
  body: (i: number) => string,
  { connections = 64, seconds = 10 } = {},
): Promise<LoadResult> {
  let i = 0;
  const result = await autocannon({
    // @types/autocannon says string; autocannon itself takes a list (its README, lib/run.js).
    url: url as string,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: body(i++) }) }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  redis: string;
  os: string;
}

/** What a run ran on: CPU model and cores, memory, Node, the redis-server on PATH, the kernel. */
export function machineInfo(): MachineInfo {
  let redis = 'unknown';
  try {
    // "Redis server v=7.0.15 sha=…": the version is all a reader needs.
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    redis = out.match(/v=(\S+)/)?.[1] ?? out.trim();
  } catch {
    // Not on PATH: startCluster would fail first and say why.
  }
  return {
    cpu: (cpus()[0]?.model ?? 'unknown CPU').trim(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis,
    os: `${type()} ${release()}`,
  };
}

export function machine(): string {
  const m = machineInfo();
  return `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, Redis ${m.redis}`;
}

/** Prints a Markdown table (so it can be pasted into docs as it is). */
export function table(header: string[], rows: (string | number)[][]): string {
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  return lines.join('\n');
}

export function freePort(): Promise<number> {
  // Not port 0: the kernel picks it from the ephemeral range, where a client's connection can
  // take it before the server binds it again (ops/free-ports.ts).
  return freeBasePort(1);
}

/** CPU time (user + system) a process has used so far, in µs, from /proc (Linux). */
export function processCpu(pid: number): number {
  try {
    // Fields after "(comm)": state is 3rd, utime 14th and stime 15th of the whole line.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/**
 * CPU time (all cores, µs) the whole machine has spent busy so far, from /proc/stat: user,
 * nice, system, irq and softirq. Not steal: time the hypervisor gave to another guest is no
 * work of this machine's, and counting it made a run on a busy host look costlier per vote.
 */
export function machineCpu(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = ticks.map(Number);
    return ((user + nice + system + irq + softirq) * 1e6) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU used by groups of processes across a span: `stop()` gives µs per group, and `other`:
 * what the rest of the machine used meanwhile (another job on a shared box skews a run).
 */
export function cpuSpan(groups: Record<string, () => number[]>) {
  const read = () => ({
    machine: machineCpu(),
    ...Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [
        name,
        pids().reduce((sum, pid) => sum + processCpu(pid), 0),
      ]),
    ),
  });
  const before: Record<string, number> = read();
  return {
    stop(): Record<string, number> {
      const after: Record<string, number> = read();
      const used = Object.fromEntries(
        Object.keys(groups).map((name) => [name, (after[name] ?? 0) - (before[name] ?? 0)]),
      );
      const ours = Object.values(used).reduce((a, b) => a + b, 0);
      used.other = Math.max(0, (after.machine ?? 0) - (before.machine ?? 0) - ours);
      return used;
    },
  };
}

/**
 * Runs `node …args` (a benchmark or a votestream tool given --json), shows its output as it
 * goes, and returns the JSON object it printed last, with its exit code (a tool's exit 1 is a
 * finding to report, e.g. a failed --verify, not a reason to lose the figures).
 */
export async function runJsonChild<T>(
  args: string[],
  cwd?: string,
): Promise<{ json: T; exitCode: number }> {
  // Progress goes to stderr as it happens; stdout (tables, then the JSON) is shown at the end
  // without the JSON line, which is for this process, not for a reader.
  const child = await execa('node', args, {
    cwd,
    stdout: 'pipe',
    stderr: 'inherit',
    stdin: 'ignore',
    reject: false,
  });
  const lines = String(child.stdout).trim().split('\n');
  const last = lines.pop() ?? '';
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
  try {
    return { json: JSON.parse(last) as T, exitCode: child.exitCode ?? -1 };
  } catch {
    throw new Error(
      `node ${args.join(' ')} exited with ${child.exitCode ?? child.signal} without a JSON summary last: ${last.slice(0, 200)}`,
    );
  }
}

/**
 * Waits until the node at `url` names a leader in GET /cluster (a bench that measured from the
 * start would otherwise measure the first election rather than appends).
 * @throws Error after `timeoutMs` without one.
 */
export async function leaderElected(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const view = (await (await fetch(`${url}/cluster`)).json()) as { leader?: unknown };
      if (view.leader) return;
    } catch {
      // Not serving yet.
    }
    if (Date.now() > deadline) throw new Error(`no leader at ${url}/cluster after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
