// Whether an `.env.example` lists exactly the described variables, each with its default.
import type { Description } from './variable.ts';

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/**
 * What differs between a description and the text of an `.env.example`: a described variable
 * that is missing or listed twice, one listed but not described, or a value other than the
 * default (nothing after `=` for a variable without one). Comments and blank lines are skipped.
 * @returns one line per difference, in the description's order; empty when they agree.
 */
export function envExampleMismatches(description: Description, text: string): string[] {
  const listed = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = ASSIGNMENT.exec(line.trim());
    if (match) listed.set(match[1]!, [...(listed.get(match[1]!) ?? []), match[2]!]);
  }
  const mismatches: string[] = [];
  for (const [name, variable] of Object.entries(description)) {
    const values = listed.get(name) ?? [];
    const expected = variable.schema.default === undefined ? '' : String(variable.schema.default);
    if (values.length === 0) mismatches.push(`${name} is described but not in .env.example`);
    else if (values.length > 1)
      mismatches.push(`${name} is in .env.example ${values.length} times`);
    else if (values[0] !== expected) {
      const should = expected === '' ? 'nothing (it has no default)' : expected;
      mismatches.push(`${name}=${values[0]} in .env.example, but its default is ${should}`);
    }
  }
  for (const name of listed.keys()) {
    if (!Object.hasOwn(description, name)) {
      mismatches.push(`${name} is in .env.example but not described`);
    }
  }
  return mismatches;
}
