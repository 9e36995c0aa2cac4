// The JSON Schemas of streams/schemas, compiled once. Events are validated before they
// are written and when they are read back for folding.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import type {
  CommitMarked,
  ControlEvent,
  PollClosed,
  PollCreated,
  VoteCast,
} from '../domain/events.ts';

const SCHEMA_DIR = fileURLToPath(new URL('../../streams/schemas/', import.meta.url));

/**
 * A chained event as its `data` field holds it: seq and hash travel as their own stream fields
 * (the schema allows them in data, the shard reader refuses them there).
 */
type ChainedData<E> = Omit<E, 'seq' | 'hash'> & { seq?: number; hash?: string };

/** An event that matches its schema in streams/schemas, by its `type`. */
export type ValidEvent =
  | ChainedData<VoteCast>
  | PollClosed
  | CommitMarked
  | PollCreated
  | ControlEvent;

/** An event that does not match its schema: never written, and not folded when read. */
export class EventSchemaError extends Error {
  override name = 'EventSchemaError';
}

// Patterns are ASCII classes and \\u escapes: they need no `u` flag, and run faster without.
const ajv = new Ajv({ allErrors: false, strict: true, unicodeRegExp: false });
const validators = new Map<string, ValidateFunction>();
for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'))) {
  const schema = JSON.parse(readFileSync(SCHEMA_DIR + file, 'utf8')) as { title: string };
  validators.set(schema.title, ajv.compile(schema));
}

export const EVENT_TYPES = [...validators.keys()].sort();

/**
 * Checks `event` against the schema its `type` names; past this call it is a ValidEvent.
 * @throws EventSchemaError unless `event` is a valid event of a known type.
 */
export function validateEvent(event: { type?: unknown }): asserts event is ValidEvent {
  const validate = typeof event.type === 'string' ? validators.get(event.type) : undefined;
  if (!validate) throw new EventSchemaError(`unknown event type ${JSON.stringify(event.type)}`);
  const type = String(event.type);
  if (!validate(event)) {
    throw new EventSchemaError(`${type}: ${ajv.errorsText(validate.errors)}`);
  }
}

/**
 * `event` as an event of `type`, once its schema has checked it: a decoder for a place that
 * takes one type only.
 * @throws EventSchemaError when `event` is of another type or does not match the schema.
 */
export function eventOf<T extends ValidEvent['type']>(
  type: T,
  event: { type?: unknown },
): Extract<ValidEvent, { type: T }> {
  validateEvent(event);
  if (!isOfType(event, type)) {
    throw new EventSchemaError(`expected a ${type}, not a ${event.type}`);
  }
  return event;
}

function isOfType<T extends ValidEvent['type']>(
  event: ValidEvent,
  type: T,
): event is Extract<ValidEvent, { type: T }> {
  return event.type === type;
}
