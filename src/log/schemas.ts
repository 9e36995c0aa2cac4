// The JSON Schemas of streams/schemas, compiled once. Events are validated before they
// are written and when they are read back for folding.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const SCHEMA_DIR = fileURLToPath(new URL('../../streams/schemas/', import.meta.url));

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

/** Throws EventSchemaError unless `event` is a valid event of a known type. */
export function validateEvent(event: { type?: unknown }): void {
  const validate = typeof event.type === 'string' ? validators.get(event.type) : undefined;
  if (!validate) throw new EventSchemaError(`unknown event type ${JSON.stringify(event.type)}`);
  const type = String(event.type);
  if (!validate(event)) {
    throw new EventSchemaError(`${type}: ${ajv.errorsText(validate.errors)}`);
  }
}
