import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Description, integer, oneOf, type ValidatedEnv } from '../../src/config/variable.ts';
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

description('an integer variable says what it expects from its own bounds', () => {
  assert.equal(integer({ minimum: 1, maximum: 1024, default: 16 }), {
    schema: { type: 'integer', minimum: 1, maximum: 1024, default: 16 },
    expects: 'an integer from 1 to 1024',
  });
  assert.is(integer({ minimum: -5, maximum: 5 }, 'port').expects, 'an integer port from -5 to 5');
  assert.is(
    integer({ minimum: 0, maximum: 100 }, 'percentage', 'off').expects,
    'an integer percentage from 0 (off) to 100',
  );
  assert.throws(() => integer({ minimum: 1, maximum: 100 }, 'percentage', 'off'), /minimum is 1/);
});

description('a variable of choices says what it expects from its list', () => {
  assert.equal(oneOf(['a', 'b'], 'b'), {
    schema: { type: 'string', enum: ['a', 'b'], default: 'b' },
    expects: 'one of a, b',
  });
});

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
