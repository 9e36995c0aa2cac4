// Polls GET /cluster of every node about every 100 ms while a scenario runs, one loop per
// node, so a paused or killed node delays only its own samples.
import type { ClusterSample } from './measures.ts';

interface ClusterView {
  nodeId: string;
  term: number;
  leader: { nodeId: string; term: number } | null;
  shards: { committedSeq: number }[];
}

export class Observer {
  readonly samples: ClusterSample[] = [];
  /** Failed polls per node (refused, timed out): expected while a node is down. */
  readonly misses = new Map<string, number>();
  #running = false;
  #loops: Promise<void>[] = [];
  readonly #targets: { nodeId: string; url: () => string }[];
  readonly #intervalMs: number;

  constructor(targets: { nodeId: string; url: () => string }[], intervalMs = 100) {
    this.#targets = targets;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#running = true;
    this.#loops = this.#targets.map((t) => this.#poll(t.nodeId, t.url));
  }

  async stop(): Promise<ClusterSample[]> {
    this.#running = false;
    await Promise.all(this.#loops);
    return this.samples;
  }

  /** The leader the freshest answers agree on (newest answer per node, highest term wins). */
  currentLeader(): { nodeId: string; term: number } | undefined {
    const newest = new Map<string, ClusterSample>();
    for (const s of this.samples) newest.set(s.nodeId, s);
    const named = [...newest.values()].filter((s) => s.leader !== null);
    named.sort((a, b) => b.term - a.term);
    const top = named[0];
    return top ? { nodeId: top.leader!, term: top.term } : undefined;
  }

  async #poll(nodeId: string, url: () => string): Promise<void> {
    while (this.#running) {
      const started = performance.now();
      try {
        const res = await fetch(`${url()}/cluster`, { signal: AbortSignal.timeout(1000) });
        const view = (await res.json()) as ClusterView;
        this.samples.push({
          at: performance.now(),
          nodeId,
          leader: view.leader?.nodeId ?? null,
          term: view.leader?.term ?? view.term,
          committed: view.shards.reduce((n, s) => n + s.committedSeq, 0),
        });
      } catch {
        this.misses.set(nodeId, (this.misses.get(nodeId) ?? 0) + 1);
      }
      const wait = this.#intervalMs - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
}
