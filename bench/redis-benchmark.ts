// The C baseline: `redis-benchmark` sending XADD to one stream on the master that holds it, in
// the bench's own cluster (so AOF and replication are the same as the service's). No Lua, no
// hash chain, no validation, no WAIT, one stream: the ceiling Redis alone reaches here.
import calculateSlot from 'cluster-key-slot';
import { execa } from 'execa';
import { Redis } from 'ioredis';

export interface RedisBenchmarkResult {
  /** The command line, as a reader would type it. */
  command: string;
  pipeline: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const KEY = 'bench';

/** Runs `redis-benchmark … XADD bench * f v` against the master that owns the key. */
export async function redisBenchmarkXadd(
  seeds: string,
  { requests, clients, pipeline }: { requests: number; clients: number; pipeline: number },
): Promise<RedisBenchmarkResult> {
  const port = await ownerPort(seeds, KEY);
  const args = [
    '-p',
    String(port),
    '-n',
    String(requests),
    '-c',
    String(clients),
    '-P',
    String(pipeline),
    '--csv',
    'XADD',
    KEY,
    '*',
    'f',
    'v',
  ];
  const result = await execa('redis-benchmark', args, { reject: false, stdin: 'ignore' });
  if (result.exitCode !== 0)
    throw new Error(`redis-benchmark exited with ${result.exitCode}: ${result.stderr}`);
  return {
    command: `redis-benchmark ${args.join(' ').replace(' * ', " '*' ")}`,
    pipeline,
    ...parseRedisBenchmarkCsv(String(result.stdout)),
  };
}

/**
 * Reads redis-benchmark's --csv output: a header line, then
 * `"XADD bench * f v","rps","avg","min","p50","p95","p99","max"` (all quoted).
 */
export function parseRedisBenchmarkCsv(
  out: string,
): Pick<RedisBenchmarkResult, 'requestsPerSecond' | 'p50Ms' | 'p99Ms'> {
  const lines = out.trim().split('\n');
  const header = (lines[0] ?? '').split(',').map((c) => c.replace(/"/g, ''));
  const row = (lines.at(-1) ?? '').split(',').map((c) => c.replace(/"/g, ''));
  const field = (name: string) => {
    const i = header.indexOf(name);
    const value = Number(row[i]);
    if (i < 0 || !Number.isFinite(value))
      throw new Error(`redis-benchmark output has no ${name}: ${out.slice(0, 300)}`);
    return value;
  };
  return {
    requestsPerSecond: field('rps'),
    p50Ms: field('p50_latency_ms'),
    p99Ms: field('p99_latency_ms'),
  };
}

/** The port of the master serving `key`'s slot (redis-benchmark without --cluster needs it). */
async function ownerPort(seeds: string, key: string): Promise<number> {
  const [host, port] = seeds.split(',')[0]!.split(':');
  const redis = new Redis({ host: host!, port: Number(port), lazyConnect: true });
  try {
    await redis.connect();
    const slot = calculateSlot(key);
    const ranges = await redis.cluster('SLOTS');
    // Each range: [from, to, master, ...replicas]; a node is [host, port, id, …].
    const master = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2];
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return master[1];
  } finally {
    redis.disconnect();
  }
}
