import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { envExampleMismatches } from '../../src/config/env-example.ts';
import { VARIABLES } from '../../src/config.ts';
import { WITH_MADE_UP } from './made-up-variable.ts';

const example = readFileSync('.env.example', 'utf8');
const checked = suite('.env.example against the description');

checked('.env.example lists exactly the described variables, each with its default', () => {
  assert.equal(envExampleMismatches(VARIABLES, example), []);
});

checked('a variable added to the description but not to .env.example is reported', () => {
  assert.equal(envExampleMismatches(WITH_MADE_UP, example), [
    'VS_MADE_UP_MS is described but not in .env.example',
  ]);
});

checked('a variable in .env.example that is not described is reported', () => {
  assert.equal(envExampleMismatches(VARIABLES, `${example}\nVS_GONE_MS=100\n`), [
    'VS_GONE_MS is in .env.example but not described',
  ]);
});

checked('a value other than the default is reported, and so is a value for none', () => {
  const changed = example
    .replace(/^VS_SHARDS=16$/m, 'VS_SHARDS=8')
    .replace(/^VS_NODE_ID=$/m, 'VS_NODE_ID=n1');
  assert.equal(envExampleMismatches(VARIABLES, changed), [
    'VS_NODE_ID=n1 in .env.example, but its default is nothing (it has no default)',
    'VS_SHARDS=8 in .env.example, but its default is 16',
  ]);
});

checked('a variable listed twice is reported', () => {
  assert.equal(envExampleMismatches(VARIABLES, `${example}\nVS_PREFIX=vs\n`), [
    'VS_PREFIX is in .env.example 2 times',
  ]);
});

checked('comments and blank lines are not variables', () => {
  const commented = example.replace(/^VS_SHARDS=16$/m, '# VS_SHARDS=16\n\n');
  assert.equal(envExampleMismatches(VARIABLES, commented), [
    'VS_SHARDS is described but not in .env.example',
  ]);
});

checked.run();
