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
  RollChanged,
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
  | ChainedData<RollChanged>
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

interface EventSchema {
  title: string;
  properties?: Record<string, { uniqueItems?: boolean; items?: { type?: string } }>;
}

/** A compiled schema, and its top-level arrays of strings whose items must be distinct. */
interface Validator {
  validate: ValidateFunction;
  distinct: string[];
}

const validators = new Map<string, Validator>();
for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'))) {
  const schema = JSON.parse(readFileSync(SCHEMA_DIR + file, 'utf8')) as EventSchema;
  validators.set(schema.title, compile(schema));
}

/**
 * Compiles `schema`, checking `uniqueItems` on its top-level arrays of strings by hand: ajv
 * checks it by adding each item as a key of a fresh object, which measured as 40 % of folding a
 * ranked ballot (V8 makes a hidden class per order of keys; docs/performance.md, 2026-11-30).
 * The schema files keep `uniqueItems`: the contract is unchanged, only who checks it.
 */
function compile(schema: EventSchema): Validator {
  const distinct: string[] = [];
  const properties = { ...schema.properties };
  for (const [name, property] of Object.entries(properties)) {
    if (property.uniqueItems === true && property.items?.type === 'string') {
      const { uniqueItems: _, ...rest } = property;
      properties[name] = rest;
      distinct.push(name);
    }
  }
  const compiled = schema.properties ? { ...schema, properties } : schema;
  return { validate: ajv.compile(compiled), distinct };
}

/**
 * A repeated item as ajv reports it: scanning from the end, the first item `i` that appears
 * again later, and `j`, its nearest later copy; undefined when all items differ.
 */
function repeatedItem(items: readonly string[]): { i: number; j: number } | undefined {
  // Arrays here hold at most 64 items: comparing pairs beats building a set.
  for (let i = items.length - 2; i >= 0; i--) {
    for (let j = i + 1; j < items.length; j++) if (items[i] === items[j]) return { i, j };
  }
  return undefined;
}

export const EVENT_TYPES = [...validators.keys()].sort();

/**
 * Checks `event` against the schema its `type` names; past this call it is a ValidEvent.
 * @throws EventSchemaError unless `event` is a valid event of a known type.
 */
export function validateEvent(event: { type?: unknown }): asserts event is ValidEvent {
  const validator = typeof event.type === 'string' ? validators.get(event.type) : undefined;
  if (!validator) throw new EventSchemaError(`unknown event type ${JSON.stringify(event.type)}`);
  const type = String(event.type);
  const { validate, distinct } = validator;
  if (!validate(event)) {
    throw new EventSchemaError(`${type}: ${ajv.errorsText(validate.errors)}`);
  }
  for (const name of distinct) {
    const items = (event as Record<string, unknown>)[name] as string[] | undefined;
    const repeated = items === undefined ? undefined : repeatedItem(items);
    if (repeated) {
      // ajv's own wording for uniqueItems, so the message does not depend on who checked.
      const { i, j } = repeated;
      throw new EventSchemaError(
        `${type}: data/${name} must NOT have duplicate items (items ## ${j} and ${i} are identical)`,
      );
    }
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
