// Checks a shard's log as an auditor would: every chained entry follows the one before it
// (gapless seq, hash recomputed from the stored data), every CommitMarked names a seq the
// chain has with the chain's hash there, terms never go back, the commit point never moves back.
import { chainHash, GENESIS_HASH } from '../domain/chain.ts';
import { dataField, decodeShardEntry } from '../log/codec.ts';
import type { Client } from '../log/redis-client.ts';
import { shardPages } from './shard-pages.ts';

export interface ChainBreak {
  seq: number;
  entryId: string;
  reason:
    | 'invalid-entry'
    | 'gap'
    | 'repeat'
    | 'hash'
    | 'marker-ahead'
    | 'marker-hash'
    | 'term-backwards'
    | 'commit-backwards';
  message: string;
}

export interface ShardVerdict {
  shard: number;
  entries: number;
  headSeq: number;
  committedSeq: number;
  markers: number;
  ok: boolean;
  /** The first break; nothing after it is checked (it would not follow anyway). */
  firstBreak?: ChainBreak;
}

export async function verifyShard(
  client: Client,
  prefix: string,
  shard: number,
): Promise<ShardVerdict> {
  const verdict: ShardVerdict = {
    shard,
    entries: 0,
    headSeq: 0,
    committedSeq: 0,
    markers: 0,
    ok: true,
  };
  let headHash = GENESIS_HASH;
  const hashes: string[] = [GENESIS_HASH];
  let term = 0;
  const fail = (entryId: string, seq: number, reason: ChainBreak['reason'], message: string) => {
    verdict.ok = false;
    verdict.firstBreak = { seq, entryId, reason, message };
  };
  for await (const page of shardPages(client, prefix, shard)) {
    for (const raw of page) {
      verdict.entries++;
      const [id, fields] = raw;
      let entry: ReturnType<typeof decodeShardEntry>;
      try {
        entry = decodeShardEntry(raw);
      } catch (error) {
        fail(id, verdict.headSeq + 1, 'invalid-entry', (error as Error).message);
        return verdict;
      }
      if (entry.type === 'CommitMarked') {
        verdict.markers++;
        if (entry.seq > verdict.headSeq) {
          fail(
            id,
            entry.seq,
            'marker-ahead',
            `marker at seq ${entry.seq} before the chain reached it (${verdict.headSeq})`,
          );
        } else if (hashes[entry.seq] !== entry.hash) {
          fail(
            id,
            entry.seq,
            'marker-hash',
            `marker hash ${entry.hash} is not the chain's ${hashes[entry.seq]}`,
          );
        } else if (entry.term < term) {
          fail(id, entry.seq, 'term-backwards', `term ${entry.term} after term ${term}`);
        } else if (entry.seq < verdict.committedSeq) {
          fail(
            id,
            entry.seq,
            'commit-backwards',
            `commit point ${entry.seq} after ${verdict.committedSeq}`,
          );
        }
        if (!verdict.ok) return verdict;
        term = entry.term;
        verdict.committedSeq = entry.seq;
        continue;
      }
      const seq = entry.seq ?? 0;
      const expected = verdict.headSeq + 1;
      if (seq !== expected) {
        fail(id, seq, seq > expected ? 'gap' : 'repeat', `seq ${seq} where ${expected} was due`);
        return verdict;
      }
      const hash = chainHash(headHash, seq, dataField(fields) ?? '');
      if (hash !== entry.hash) {
        fail(id, seq, 'hash', `hash ${entry.hash} is not sha1(prev|seq|data) = ${hash}`);
        return verdict;
      }
      verdict.headSeq = seq;
      headHash = hash;
      hashes[seq] = hash;
    }
  }
  return verdict;
}
