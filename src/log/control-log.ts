// The one writer of the control streams vs:{ctl}:heartbeats, :election and :acks: every
// Heartbeat, Candidacy, MembershipChanged and Applied entry is validated against its JSON
// Schema (streams/schemas), encoded, and appended here with its stream's trim.
//
// Not here: LeaderElected and LeaderResigned, which the lease scripts append atomically with
// the lease (streams/lua/acquire-lease-3.lua, release-lease-2.lua; they trim the election
// stream at the same length), and the poll catalogue vs:{ctl}:polls (src/log/poll-store.ts).
import type { NodeControlEvent } from '../domain/events.ts';
import { encodeEvent } from './codec.ts';
import { type ControlKeys, controlKeys } from './keys.ts';
import type { Client } from './redis-client.ts';

/**
 * Entries the election and acks streams keep (approximately: MAXLEN ~ lets Redis drop whole
 * macro nodes of the stream). A node seeds its view from every election entry and recent acks.
 */
export const CONTROL_MAXLEN = 10_000;

/** Heartbeats kept (approximately): plenty for a late node to seed its view. */
export const HEARTBEATS_MAXLEN = 2000;

type ControlStream = keyof Pick<ControlKeys, 'heartbeats' | 'election' | 'acks'>;

/** Where each event goes, and how much of that stream is kept. */
const STREAM_OF: Record<NodeControlEvent['type'], { stream: ControlStream; maxlen: number }> = {
  Heartbeat: { stream: 'heartbeats', maxlen: HEARTBEATS_MAXLEN },
  Candidacy: { stream: 'election', maxlen: CONTROL_MAXLEN },
  MembershipChanged: { stream: 'election', maxlen: CONTROL_MAXLEN },
  Applied: { stream: 'acks', maxlen: CONTROL_MAXLEN },
};

/** A control event checked and encoded, ready to append. */
export interface ControlEntry {
  type: NodeControlEvent['type'];
  stream: ControlStream;
  maxlen: number;
  /** The event's canonical JSON: the entry's `data` field. */
  data: string;
}

/**
 * Validates `event` against its schema and encodes it, without I/O: a caller that times the
 * append (a heartbeat is a clock sample) starts its clock after this.
 * Throws EventSchemaError when the event does not match its schema.
 */
export function encodeControlEvent(event: NodeControlEvent): ControlEntry {
  return { type: event.type, ...STREAM_OF[event.type], data: encodeEvent(event) };
}

/**
 * Appends an encoded control entry (`XADD <stream> MAXLEN ~ <maxlen> * type <type> data <data>`).
 * Resolves with the entry id, `<ms>-<n>`, whose ms is the {ctl} master's clock; rejects with
 * Redis's error (the caller retries on its next tick).
 */
export function appendControlEntry(
  client: Client,
  prefix: string,
  entry: ControlEntry,
): Promise<string> {
  // Not async: a timed caller reads its clock on the reply, not a microtask later.
  return client.xadd(
    controlKeys(prefix)[entry.stream],
    'MAXLEN',
    '~',
    entry.maxlen,
    '*',
    'type',
    entry.type,
    'data',
    entry.data,
  ) as Promise<string>;
}

/**
 * Validates, encodes and appends a control event to its stream. Resolves with the entry id;
 * rejects with EventSchemaError (nothing written) or Redis's error.
 */
export async function appendControlEvent(
  client: Client,
  prefix: string,
  event: NodeControlEvent,
): Promise<string> {
  return appendControlEntry(client, prefix, encodeControlEvent(event));
}
