// Live tallies over Server-Sent Events. Folded batches mark polls dirty; at most every 100 ms a
// dirty poll's tally is computed once and sent to all its subscribers. Each event carries the
// poll's version as its id: a tally is a whole state, not a delta, so a client that resumes
// with Last-Event-ID gets the current tally at once unless it already has this version. A
// sealed poll's events are its sealed tally; the marker that makes it final is a folded batch
// like any other, so the full tally follows on the same stream.
import type { ServerResponse } from 'node:http';
import { type SealedTally, sealTally, servedTally } from '../domain/sealed-results.ts';
import { type PollTally, tallyPoll } from '../domain/tally.ts';
import type { AppContext } from './context.ts';

const MIN_INTERVAL_MS = 100;
const KEEPALIVE_MS = 15_000;

interface Channel {
  subscribers: Set<ServerResponse>;
  version: number;
  lastSent: string;
  timer: NodeJS.Timeout | undefined;
  dirty: boolean;
}

export class TallyStream {
  readonly #ctx: AppContext;
  readonly #channels = new Map<string, Channel>();
  readonly #keepalive: NodeJS.Timeout;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    ctx.projections.on('polls', (polls: Set<string> | 'all') => {
      if (polls === 'all') for (const id of this.#channels.keys()) this.#markDirty(id);
      else for (const id of polls) if (this.#channels.has(id)) this.#markDirty(id);
    });
    this.#keepalive = setInterval(() => {
      for (const channel of this.#channels.values())
        for (const res of channel.subscribers) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.#keepalive.unref();
  }

  /** The tally of a poll as served everywhere (HTTP, SSE): sealed while the poll is. */
  tally(pollId: string): PollTally | SealedTally {
    const poll = this.#ctx.catalogue.peek(pollId)?.poll;
    const states = this.#ctx.projections.states;
    // Not reached (the routes check the poll first): a poll this node does not know may be
    // sealed, so it is shown as if it were.
    if (!poll) return sealTally(tallyPoll(pollId, states));
    return servedTally(poll, states);
  }

  subscribe(pollId: string, res: ServerResponse, lastEventId: string | undefined): void {
    let channel = this.#channels.get(pollId);
    if (!channel) {
      const first = this.tally(pollId);
      channel = {
        subscribers: new Set(),
        version: 1,
        lastSent: JSON.stringify(first),
        timer: undefined,
        dirty: false,
      };
      this.#channels.set(pollId, channel);
    }
    channel.subscribers.add(res);
    res.on('close', () => {
      channel.subscribers.delete(res);
      if (channel.subscribers.size === 0) {
        clearTimeout(channel.timer);
        this.#channels.delete(pollId);
      }
    });
    res.write('retry: 1000\n\n');
    if (lastEventId !== String(channel.version)) send(res, channel.version, channel.lastSent);
  }

  close(): void {
    clearInterval(this.#keepalive);
    for (const channel of this.#channels.values()) {
      clearTimeout(channel.timer);
      for (const res of channel.subscribers) res.end();
    }
    this.#channels.clear();
  }

  #markDirty(pollId: string): void {
    const channel = this.#channels.get(pollId);
    if (!channel) return;
    channel.dirty = true;
    if (channel.timer) return;
    channel.timer = setTimeout(() => this.#flush(pollId), MIN_INTERVAL_MS);
  }

  #flush(pollId: string): void {
    const channel = this.#channels.get(pollId);
    if (!channel) return;
    channel.timer = undefined;
    if (!channel.dirty) return;
    channel.dirty = false;
    const data = JSON.stringify(this.tally(pollId));
    if (data !== channel.lastSent) {
      channel.version++;
      channel.lastSent = data;
      for (const res of channel.subscribers) send(res, channel.version, data);
    }
    // Changes that arrived meanwhile wait for the next window, keeping events ≥ 100 ms apart.
    channel.timer = setTimeout(() => this.#flush(pollId), MIN_INTERVAL_MS);
  }
}

function send(res: ServerResponse, id: number, data: string): void {
  res.write(`id: ${id}\nevent: tally\ndata: ${data}\n\n`);
}
