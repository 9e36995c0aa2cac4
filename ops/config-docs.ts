// `npm run docs:config`: rewrites the table of every VS_* variable in docs/operations.md from
// the description in src/config/variables.ts (test/config/docs-table.test.ts fails until it is).
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable, withConfigTable } from '../src/config/docs-table.ts';
import { VARIABLES } from '../src/config.ts';

const DOC = 'docs/operations.md';
writeFileSync(DOC, withConfigTable(readFileSync(DOC, 'utf8'), configTable(VARIABLES)));
console.log(`${DOC}: configuration table written`);
