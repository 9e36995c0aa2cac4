// Where votes are committed: the leader's markers, written by streams/lua/mark-commit-3.lua
// behind a term fence. Before marking, the covered votes are made durable on a replica.

import type { CommitMarked } from '../domain/events.ts';
import { encodeEvent } from './codec.ts';
import { shardKeys, shardSlot } from './keys.ts';
import { type LogTarget, masterOf, refreshSlotsAfterRedirect } from './redis-client.ts';
import { markCommitResult } from './script-codes.ts';

export type MarkResult =
  | { status: 'marked'; entryId: string }
  | { status: 'unchanged'; committed: number }
  | { status: 'fenced'; fence: number }
  | { status: 'beyond-head'; headSeq: number }
  | { status: 'hash-mismatch'; headHash: string }
  /** No replica confirmed the covered votes in time: nothing was marked. */
  | { status: 'not-durable' };

export interface Marker {
  term: number;
  seq: number;
  hash: string;
  by: string;
  at: number;
}

/** What marking one shard came to; an Error when Redis did not answer it (retry later). */
export type MarkOutcome = MarkResult | Error;

/** Marks one shard: `markCommits` for a single marker. */
export async function markCommit(
  target: LogTarget,
  shard: number,
  marker: Marker,
): Promise<MarkResult> {
  const outcome = await markCommits(target, [{ shard, ...marker }])[0]!;
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

/**
 * Marks each `shard` committed up to `seq` (chain hash `hash`) for `term`; one promise per
 * marker, in order, settled when its master has answered.
 *
 * First, when durable, the covered votes are made durable: WAIT covers only the writes of its
 * own connection, so a write in each shard's slot on this connection comes first; its
 * replication offset lies past every vote already in the shard, whoever wrote them. Only then
 * the markers: losing a marker in a failover is harmless (the next leader marks again), losing
 * a finalized vote is not.
 *
 * The shards of one master share its two round trips: one pipeline of an INCR per shard and
 * one WAIT, then one pipeline of markers. That is two writes per master per commit pass
 * rather than two per shard. Each shard still has its own INCR, so a shard whose slot has
 * moved (a MOVED reply: the slot map was stale) is left out of that master's WAIT and marker,
 * never covered by another master's.
 */
export function markCommits(
  target: LogTarget,
  markers: readonly (Marker & { shard: number })[],
): Promise<MarkOutcome>[] {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < markers.length; i++) {
    const master = masterOf(target.client, shardSlot(target.prefix, markers[i]!.shard));
    const group = groups.get(master);
    if (group) group.push(i);
    else groups.set(master, [i]);
  }
  const outcomes = new Array<Promise<MarkOutcome>>(markers.length);
  for (const indexes of groups.values()) {
    const group = markOnOneMaster(
      target,
      indexes.map((i) => markers[i]!),
    );
    indexes.forEach((i, k) => {
      outcomes[i] = group.then((results) => results[k]!);
    });
  }
  return outcomes;
}

/** The markers of shards one master serves: a durability round trip, then the markers. */
async function markOnOneMaster(
  target: LogTarget,
  markers: readonly (Marker & { shard: number })[],
): Promise<MarkOutcome[]> {
  const results = new Array<MarkOutcome>(markers.length);
  // Writes are validated before they leave the node; an invalid marker fails alone.
  let ready: { k: number; payload: string }[] = [];
  markers.forEach(({ term, seq, hash, by, at }, k) => {
    try {
      const event: CommitMarked = { type: 'CommitMarked', v: 1, term, seq, hash, by, at };
      ready.push({ k, payload: encodeEvent(event) });
    } catch (error) {
      results[k] = error as Error;
    }
  });
  try {
    if (ready.length > 0 && target.durable) {
      const sync = target.client.pipeline();
      for (const { k } of ready) sync.incr(shardKeys(target.prefix, markers[k]!.shard).sync);
      sync.call('WAIT', '1', String(target.waitTimeoutMs));
      const replies = (await sync.exec()) ?? [];
      const [waitError, acks] = replies[ready.length] ?? [new Error('no reply to WAIT')];
      // Only the shards whose write this master took (not a MOVED one) learn from its WAIT.
      const covered = ready.filter((_, r) => replies[r] && !replies[r][0]);
      if (!waitError)
        target.onWait?.(
          covered.map(({ k }) => markers[k]!.shard),
          Number(acks ?? 0),
        );
      ready = ready.filter(({ k }, r) => {
        const error = waitError ?? replies[r]?.[0] ?? (replies[r] ? null : new Error('no reply'));
        if (error) results[k] = error;
        else if (Number(acks ?? 0) < 1) results[k] = { status: 'not-durable' };
        return results[k] === undefined;
      });
    }
    if (ready.length > 0) {
      const pipeline = target.client.pipeline();
      for (const { k, payload } of ready) {
        const { shard, term, seq, hash } = markers[k]!;
        const keys = shardKeys(target.prefix, shard);
        pipeline.markCommit(keys.head, keys.fence, keys.log, term, seq, hash, payload);
      }
      const replies = (await pipeline.exec()) ?? [];
      ready.forEach(({ k }, r) => {
        const [error, reply] = replies[r] ?? [new Error('no reply to the marker'), undefined];
        results[k] = error ?? markCommitResult(reply);
      });
    }
  } catch (error) {
    // The pipeline as a whole failed (connection lost, or the slot map changed under it).
    for (let k = 0; k < markers.length; k++) results[k] ??= error as Error;
  }
  // A MOVED reply means a failover moved a slot: the next pass groups by the new map.
  for (const result of results) refreshSlotsAfterRedirect(target.client, result);
  return results;
}
