// After the load: do all nodes hold the same state? Every shard's digest at the same applied
// and committed seqs, and the same tally for every poll of the run. And is the log itself
// intact: `votestream replay --verify` checks every shard's chain and commit markers.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const BIN = fileURLToPath(new URL('../../bin/votestream.js', import.meta.url));

interface Digests {
  shards: { shard: number; appliedSeq: number; committedSeq: number; digest: string }[];
}

/**
 * Waits until every node reports the same per-shard digests and the same tallies, or the
 * timeout passes; returns the differences last seen (empty when equal).
 */
export async function compareNodes(
  nodes: { nodeId: string; url: string }[],
  polls: string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const differences: string[] = [];
    try {
      const views = await Promise.all(
        nodes.map(async (n) => {
          const digests = (await getJson(`${n.url}/cluster/digests`)) as Digests;
          const tallies = await Promise.all(
            polls.map(async (p) => {
              const t = (await getJson(`${n.url}/polls/${p}/tally`)) as Record<string, unknown>;
              return JSON.stringify({ finalized: t.finalized, pending: t.pending });
            }),
          );
          return { nodeId: n.nodeId, digests, tallies };
        }),
      );
      const [first, ...rest] = views;
      for (const other of rest) {
        for (const [i, s] of first!.digests.shards.entries()) {
          const o = other.digests.shards[i];
          if (!o || JSON.stringify(o) !== JSON.stringify(s))
            differences.push(
              `shard ${s.shard}: ${first!.nodeId} ${JSON.stringify(s)} vs ${other.nodeId} ${JSON.stringify(o)}`,
            );
        }
        for (const [i, p] of polls.entries())
          if (other.tallies[i] !== first!.tallies[i])
            differences.push(
              `poll ${p}: ${first!.nodeId} ${first!.tallies[i]} vs ${other.nodeId} ${other.tallies[i]}`,
            );
      }
    } catch (error) {
      differences.push(`a node did not answer: ${(error as Error).message}`);
    }
    if (!differences.length || Date.now() > deadline) return differences;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `votestream replay --verify --json` against the stage's Redis: true when every chain holds. */
export async function verifyChains(
  seeds: string,
  prefix: string,
): Promise<{ ok: boolean; broken: number; detail: string }> {
  const run = await execa('node', [BIN, 'replay', '--verify', '--json'], {
    env: { VS_REDIS_CLUSTER: seeds, VS_PREFIX: prefix, VS_LOG_LEVEL: 'warn' },
    reject: false,
    timeout: 120_000,
  });
  const last = String(run.stdout).trim().split('\n').at(-1) ?? '';
  try {
    const summary = JSON.parse(last) as { ok: boolean; broken: number };
    return { ok: summary.ok && run.exitCode === 0, broken: summary.broken, detail: last };
  } catch {
    return { ok: false, broken: -1, detail: `replay --verify: ${run.exitCode} ${run.stderr}` };
  }
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}
