// Stream entries <-> domain events. Chained events travel as fields type, seq, hash and
// data (the canonical payload the hash covers); others as type and data.
import { canonicalJson } from '../domain/canonical-json.ts';
import { chainPayload, voteCastPayload } from '../domain/chain.ts';
import type { CatalogueEvent, Entry, ShardEvent, VoteContent } from '../domain/events.ts';
import { EventSchemaError, validateEvent } from './schemas.ts';

/** An entry as ioredis returns it from XRANGE / XREADGROUP. */
export type RawEntry = [id: string, fields: string[]];

/** Validates an event that is not chained (markers, control events) and returns its data field. */
export function encodeEvent(event: object): string {
  validateEvent(event as { type?: unknown });
  return canonicalJson(event);
}

/** Validates a chained event (without seq/hash) and returns the payload to hash and store. */
export function encodePayload(event: object): string {
  validateEvent(event as { type?: unknown });
  return chainPayload(event);
}

/** The payload of a VoteCast built from a checked ballot; validated like any other write. */
export function encodeVote(vote: VoteContent): string {
  const { voteId, pollId, voterId, choices, at } = vote;
  validateEvent({ type: 'VoteCast', v: 1, voteId, pollId, voterId, choices, at } as {
    type: string;
  });
  return voteCastPayload(vote);
}

/**
 * Decodes and validates one shard entry; throws EventSchemaError on anything malformed.
 * On the fold's hot path: the data object is validated as parsed and then completed in place
 * (no copies), and seq/hash, which travel as their own fields, are checked by hand.
 */
export function decodeShardEntry([id, fields]: RawEntry): Entry<ShardEvent> {
  let type: string | undefined;
  let seq: string | undefined;
  let hash: string | undefined;
  let data: string | undefined;
  let repeated = fields.length % 2 === 1;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    switch (fields[i]) {
      case 'type':
        repeated ||= type !== undefined;
        type = value;
        break;
      case 'seq':
        repeated ||= seq !== undefined;
        seq = value;
        break;
      case 'hash':
        repeated ||= hash !== undefined;
        hash = value;
        break;
      case 'data':
        repeated ||= data !== undefined;
        data = value;
        break;
    }
  }
  // A field given twice could carry one payload for the hash check and another for the fold.
  if (repeated) throw new EventSchemaError(`entry ${id}: a field is repeated or has no value`);
  const event = parseData(id, data);
  if (type !== event.type)
    throw new EventSchemaError(`entry ${id}: type field disagrees with data`);
  validateEvent(event);
  if (event.type === 'VoteCast' || event.type === 'PollClosed' || event.type === 'RollChanged') {
    const n = Number(seq);
    // The fold compares the hash with the sha1 it computes, which checks its form too.
    if (!Number.isSafeInteger(n) || n < 1 || hash === undefined || hash.length !== 40) {
      throw new EventSchemaError(`entry ${id}: a chained ${type} needs a seq and a sha1 hash`);
    }
    if ('seq' in event || 'hash' in event)
      throw new EventSchemaError(`entry ${id}: seq and hash belong outside data`);
    // Completed in place (no copy), in the order the fields were always added.
    return Object.assign(event, { seq: n, hash, id });
  }
  if (event.type === 'CommitMarked') return Object.assign(event, { id });
  throw new EventSchemaError(`entry ${id}: a ${event.type} is not an event of a shard`);
}

/**
 * Decodes and validates one entry of the poll catalogue (vs:{ctl}:polls).
 * @throws EventSchemaError on anything malformed, or an event that is not a catalogue's.
 */
export function decodeCatalogueEntry([id, fields]: RawEntry): Entry<CatalogueEvent> {
  const data = parseData(id, fieldsOf(fields).data);
  validateEvent(data);
  if (data.type !== 'PollCreated' && data.type !== 'PollClosed') {
    throw new EventSchemaError(`entry ${id}: a ${data.type} is not an event of the catalogue`);
  }
  return { ...data, id };
}

/** The raw `data` field of an entry: the bytes its chain hash covers. */
export function dataField(fields: string[]): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'data') return fields[i + 1];
  return undefined;
}

function fieldsOf(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}

/** The entry's data field parsed: a JSON object, not yet validated. */
function parseData(id: string, data: string | undefined): { type?: unknown } {
  if (data === undefined) throw new EventSchemaError(`entry ${id} has no data field`);
  try {
    const parsed = JSON.parse(data) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed;
    }
  } catch {
    // Reported below with the entry id.
  }
  throw new EventSchemaError(`entry ${id}: data is not a JSON object`);
}
