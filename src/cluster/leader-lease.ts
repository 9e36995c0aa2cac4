// The leader lease in Redis (vs:{ctl}:lease) and this node's own, conservative estimate of
// it: the node stops acting as leader when its monotonic clock says the lease may have run
// out, whatever Redis or the other nodes think — a paused process cannot act on a stale lease.

import { encodeEvent } from '../log/codec.ts';
import { controlKeys } from '../log/keys.ts';
import type { Client } from '../log/redis-client.ts';

/** Act only within this share of the lease, measured from before the request was sent. */
const SAFETY = 0.75;

export class LeaderLease {
  readonly #client: Client;
  readonly #keys: ReturnType<typeof controlKeys>;
  readonly #nodeId: string;
  readonly #leaseMs: number;
  term = 0;
  #value = '';
  #validUntil = 0;

  constructor(client: Client, prefix: string, nodeId: string, leaseMs: number) {
    this.#client = client;
    this.#keys = controlKeys(prefix);
    this.#nodeId = nodeId;
    this.#leaseMs = leaseMs;
  }

  /** Whether this node may act as leader right now (monotonic clock). */
  get valid(): boolean {
    return this.#value !== '' && performance.now() < this.#validUntil;
  }

  /** Tries to take the lease; returns the new term, or undefined if someone holds it. */
  async acquire(): Promise<number | undefined> {
    const sent = performance.now();
    const [code, detail] = (await this.#client.acquireLease(
      this.#keys.lease,
      this.#keys.term,
      this.#keys.election,
      this.#nodeId,
      this.#leaseMs,
    )) as [number, number | string];
    if (code !== 1) return undefined;
    this.term = Number(detail);
    this.#value = `${this.#nodeId}:${this.term}`;
    this.#validUntil = sent + this.#leaseMs * SAFETY;
    return this.term;
  }

  /** Extends the lease; false when it is lost (the caller steps down). */
  async renew(): Promise<boolean> {
    if (!this.#value) return false;
    const sent = performance.now();
    const renewed =
      (await this.#client.renewLease(this.#keys.lease, this.#value, this.#leaseMs)) === 1;
    if (renewed) this.#validUntil = sent + this.#leaseMs * SAFETY;
    else this.drop();
    return renewed;
  }

  /** Releases the lease on a graceful stop (LeaderResigned), so a successor starts at once. */
  async release(at: number): Promise<void> {
    if (!this.#value) return;
    const value = this.#value;
    this.drop();
    const payload = encodeEvent({
      type: 'LeaderResigned',
      v: 1,
      nodeId: this.#nodeId,
      term: this.term,
      at,
    });
    await this.#client.releaseLease(this.#keys.lease, this.#keys.election, value, payload);
  }

  /** Forgets the lease locally (lost, or about to be released). */
  drop(): void {
    this.#value = '';
    this.#validUntil = 0;
  }
}
