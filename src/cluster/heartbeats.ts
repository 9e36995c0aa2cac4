// This node's heartbeat, every VS_HEARTBEAT_MS, and what it teaches the node about time:
// each XADD's id is the {ctl} master's clock, so each heartbeat is a Cristian sample of this
// node's offset to the cluster clock.
import { bestSample, type ClockSample, clockSample } from '../domain/clock-offset.ts';
import type { Heartbeat } from '../domain/events.ts';
import { appendControlEntry, encodeControlEvent } from '../log/control-log.ts';
import type { Client } from '../log/redis-client.ts';

const SAMPLES = 16;

export interface HeartbeatState {
  role: Heartbeat['role'];
  term: number;
  member: boolean;
}

export class ClusterClock {
  readonly #samples: ClockSample[] = [];
  /** A fault-injection skew added to this node's local clock (tests, chaos runs). */
  readonly #skewMs: number;

  constructor(skewMs = 0) {
    this.#skewMs = skewMs;
  }

  /** This node's local wall clock, skew included. */
  local(): number {
    return Date.now() + this.#skewMs;
  }

  add(sample: ClockSample): void {
    this.#samples.push(sample);
    if (this.#samples.length > SAMPLES) this.#samples.shift();
  }

  /** The best estimate of the cluster clock now, in whole milliseconds. */
  now(): number {
    return Math.round(this.local() + (bestSample(this.#samples)?.offsetMs ?? 0));
  }

  estimate(): { offsetMs: number; uncertaintyMs: number | null; samples: number } {
    const best = bestSample(this.#samples);
    return {
      offsetMs: Math.round(best?.offsetMs ?? 0),
      uncertaintyMs: best ? Math.round(best.uncertaintyMs * 10) / 10 : null,
      samples: this.#samples.length,
    };
  }
}

/**
 * Appends this node's Heartbeat (through the control log) and adds its entry id, the {ctl}
 * master's clock, to `clock` as a sample. Rejects with Redis's error; the coordinator's next
 * tick sends the next one.
 */
export async function sendHeartbeat(
  client: Client,
  prefix: string,
  clock: ClusterClock,
  node: { nodeId: string; address: string; startedAt: number },
  state: HeartbeatState,
): Promise<void> {
  const entry = encodeControlEvent({
    type: 'Heartbeat',
    v: 1,
    nodeId: node.nodeId,
    address: node.address,
    role: state.role,
    term: state.term,
    member: state.member,
    uptimeMs: Math.max(0, Math.round(performance.now() - node.startedAt)),
    clock: Math.max(0, Math.round(clock.now())),
  });
  // Timed from after the encoding: the sample's round trip is the XADD's alone.
  const t0 = clock.local();
  const id = await appendControlEntry(client, prefix, entry);
  clock.add(clockSample(t0, Number(id.slice(0, id.indexOf('-'))), clock.local()));
}
