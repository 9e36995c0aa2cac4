// The description of the variables with one more, which no document lists: what a variable
// added to src/config/variables.ts but not yet to docs or .env.example looks like.

import { integer } from '../../src/config/variable.ts';
import { VARIABLES } from '../../src/config.ts';

/** VARIABLES and VS_MADE_UP_MS (an integer from 1 to 10, default 5). */
export const WITH_MADE_UP = {
  ...VARIABLES,
  VS_MADE_UP_MS: {
    field: 'madeUpMs',
    ...integer({ minimum: 1, maximum: 10, default: 5 }),
    doc: 'a variable that exists only in this test',
  },
} as const;
