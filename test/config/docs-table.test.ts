import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BEGIN, configTable, END, withConfigTable } from '../../src/config/docs-table.ts';
import { VARIABLES } from '../../src/config.ts';
import { WITH_MADE_UP } from './made-up-variable.ts';

const doc = readFileSync('docs/operations.md', 'utf8');
const table = suite('the configuration table of docs/operations.md');

table('is the one the description makes (else: npm run docs:config)', () => {
  assert.ok(doc.includes(BEGIN) && doc.includes(END), 'the markers are missing');
  assert.is(withConfigTable(doc, configTable(VARIABLES)), doc);
});

table('lists every described variable once, with its default', () => {
  const block = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END));
  const rows = block.split('\n').filter((line) => line.startsWith('| `VS_'));
  assert.is(rows.length, Object.keys(VARIABLES).length);
  for (const [name, { schema }] of Object.entries(VARIABLES)) {
    const given = 'default' in schema ? `\`${schema.default}\`` : 'unset';
    assert.ok(
      rows.some((row) => row.startsWith(`| \`${name}\` | ${given} |`)),
      `${name} ${given}`,
    );
  }
});

table('a variable added to the description makes the table in the document stale', () => {
  const made = configTable(WITH_MADE_UP);
  assert.match(made, /^\| `VS_MADE_UP_MS` \| `5` \| an integer from 1 to 10 \| a variable/m);
  assert.is.not(withConfigTable(doc, made), doc);
});

table('rewriting replaces only what lies between the markers', () => {
  const before = `# Ops\n\ntext\n\n${BEGIN}\nold\n${END}\n\nmore\n`;
  assert.is(withConfigTable(before, 'new'), `# Ops\n\ntext\n\n${BEGIN}\nnew\n${END}\n\nmore\n`);
  assert.is(withConfigTable('# Ops\n', 'new'), `# Ops\n\n${BEGIN}\nnew\n${END}\n`);
});

table.run();
