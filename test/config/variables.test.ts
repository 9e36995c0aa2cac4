import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Description, ValidatedEnv } from '../../src/config/variable.ts';
import { loadConfig, SECRET_FIELDS, VARIABLES } from '../../src/config.ts';
import { REDACTED } from '../../src/logger.ts';

const described: Description = VARIABLES;
const description = suite('the description of the variables');

description('each field is the camelCase of its variable without VS_', () => {
  for (const [name, variable] of Object.entries(described)) {
    const words = name.replace(/^VS_/, '').toLowerCase().split('_');
    const camel = words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
    assert.is(variable.field, camel, name);
  }
});

description('the configuration has one field per variable, in the same order', () => {
  const fields = Object.values(described).map((v) => v.field);
  assert.equal(Object.keys(loadConfig({}, {})), fields);
});

description(
  'what an invalid value is told to be names the bounds and choices of the schema',
  () => {
    for (const [name, { schema, expects }] of Object.entries(described)) {
      if (schema.type === 'integer') {
        assert.ok(expects.includes(`from ${schema.minimum}`), `${name}: ${expects}`);
        assert.ok(expects.endsWith(`to ${schema.maximum}`), `${name}: ${expects}`);
      }
      if (Array.isArray(schema.enum)) assert.is(expects, `one of ${schema.enum.join(', ')}`, name);
    }
  },
);

description('every secret is redacted by the logger, alone and inside a logged config', () => {
  assert.ok(SECRET_FIELDS.length > 0);
  for (const field of SECRET_FIELDS) {
    assert.ok(REDACTED.includes(field), field);
    assert.ok(REDACTED.includes(`config.${field}`), `config.${field}`);
  }
});

// A variable's parse is declared loosely (a method, so each can name the narrow types it takes):
// tsc checks here that each takes the validated value and variables loadConfig gives it.
type Described = typeof VARIABLES;
type Validated = ValidatedEnv<Described>;
type ParseFits = {
  [K in keyof Described]: Described[K] extends { parse(value: infer V, env: infer E): unknown }
    ? [Validated[K], Validated] extends [V, E]
      ? true
      : false
    : true;
}[keyof Described];

description('each parse takes the value and the variables it is given (checked by tsc)', () => {
  const everyParseFits: false extends ParseFits ? never : true = true;
  assert.ok(everyParseFits);
});

description.run();
