// Where votes are committed: the leader's marker, written by streams/lua/mark-commit-3.lua
// behind a term fence. Before marking, the covered votes are made durable on a replica.
import type { CommitMarked } from '../domain/events.ts';
import { encodeEvent } from './codec.ts';
import { shardKeys } from './keys.ts';
import { execDurable, type ScriptPipeline } from './poll-store.ts';
import type { LogTarget } from './redis-client.ts';

export type MarkResult =
  | { status: 'marked'; entryId: string }
  | { status: 'unchanged'; committed: number }
  | { status: 'fenced'; fence: number }
  | { status: 'beyond-head'; headSeq: number }
  | { status: 'hash-mismatch'; headHash: string }
  /** No replica confirmed the covered votes in time: nothing was marked. */
  | { status: 'not-durable' };

/**
 * Marks `shard` committed up to `seq` (chain hash `hash`) for `term`. First, when durable,
 * the covered votes are made durable: WAIT covers only the writes of its own connection, so a
 * write in the shard's slot on this connection comes first; its replication offset lies past
 * every vote already in the shard, whoever wrote them. Only then the marker: losing a marker
 * in a failover is harmless (the next leader marks again), losing a finalized vote is not.
 */
export async function markCommit(
  target: LogTarget,
  shard: number,
  marker: { term: number; seq: number; hash: string; by: string; at: number },
): Promise<MarkResult> {
  const keys = shardKeys(target.prefix, shard);
  const event: CommitMarked = { type: 'CommitMarked', v: 1, ...marker };
  const payload = encodeEvent(event);
  if (target.durable) {
    const sync = target.client.pipeline();
    sync.incr(keys.sync);
    sync.call('WAIT', '1', String(target.waitTimeoutMs));
    const replies = (await sync.exec()) ?? [];
    const failed = replies.find(([error]) => error)?.[0];
    if (failed) throw failed;
    if (Number(replies[1]?.[1] ?? 0) < 1) return { status: 'not-durable' };
  }
  const pipeline = target.client.pipeline() as unknown as ScriptPipeline;
  pipeline.markCommit(
    keys.head,
    keys.fence,
    keys.log,
    marker.term,
    marker.seq,
    marker.hash,
    payload,
  );
  const [code, detail] = (await execDurable({ ...target, durable: false }, pipeline)) as [
    number,
    number | string,
  ];
  switch (code) {
    case 1:
      return { status: 'marked', entryId: String(detail) };
    case 0:
      return { status: 'unchanged', committed: Number(detail) };
    case -1:
      return { status: 'fenced', fence: Number(detail) };
    case -2:
      return { status: 'beyond-head', headSeq: Number(detail) };
    default:
      return { status: 'hash-mismatch', headHash: String(detail) };
  }
}
