// Reads the shell examples out of a Markdown page, so a test can run them as a reader would.
//
// Conventions the pages follow (and the tests enforce):
// - Examples are fenced ```sh, ```bash, ```shell or ```console blocks; in a console block a
//   leading `$ ` is a prompt and is dropped.
// - A line ending in `\` continues on the next line: the two are one command.
// - A trailing `# {…}` or `# […]` comment on a command shows its output (JSON; `…` marks what is
//   left out). `# 409 {…}` also names the HTTP status it answers; without a status, an
//   example must succeed (below 400).
// - `<!-- examples: not run -->` on the line before a fence (blank lines between allowed) marks
//   a block that is not meant to be run as it stands (a synopsis, placeholders a test cannot
//   fill): its commands are not returned.

/** One command of a page's shell example. */
export interface ShellExample {
  /** The command as written, continuation lines joined with their `\` and line break. */
  command: string;
  /** 1-based line of the page where the command starts. */
  line: number;
  /** The output it shows, if it shows one: JSON text with `…` elisions, as written. */
  shown?: string;
  /** The HTTP status it shows before its output (`# 409 {…}`), if it names one. */
  status?: number;
}

const FENCE = /^```(sh|bash|shell|console)\s*$/;
export const NOT_RUN = '<!-- examples: not run -->';

/**
 * Every command of every runnable shell block in `markdown`, in page order. Comment-only lines
 * and blank lines are not commands. Throws if a fence is left open.
 */
export function shellExamples(markdown: string): ShellExample[] {
  const lines = markdown.split('\n');
  const found: ShellExample[] = [];
  let i = 0;
  while (i < lines.length) {
    const fence = FENCE.exec(lines[i] ?? '');
    if (!fence) {
      i++;
      continue;
    }
    const skipped = previousNonBlank(lines, i) === NOT_RUN;
    const start = i;
    i++;
    let pending: { text: string; line: number } | undefined;
    for (; i < lines.length && !lines[i]!.startsWith('```'); i++) {
      let text = lines[i]!;
      if (fence[1] === 'console') text = text.replace(/^\$ /, '');
      if (pending) {
        pending.text += `\n${text}`;
      } else {
        if (text.trim() === '' || text.trimStart().startsWith('#')) continue;
        pending = { text, line: i + 1 };
      }
      if (!text.endsWith('\\')) {
        if (!skipped) found.push(withOutput(pending.text, pending.line));
        pending = undefined;
      }
    }
    if (i >= lines.length) throw new Error(`the block opened on line ${start + 1} is not closed`);
    i++;
  }
  return found;
}

function previousNonBlank(lines: string[], index: number): string | undefined {
  for (let j = index - 1; j >= 0; j--) if (lines[j]!.trim() !== '') return lines[j]!.trim();
  return undefined;
}

/** Splits a trailing `# …` comment (outside quotes) off the command's last line. */
function withOutput(text: string, line: number): ShellExample {
  const at = commentStart(text);
  if (at < 0) return { command: text, line };
  const command = text.slice(0, at).trimEnd();
  const comment = text.slice(at + 1).trim();
  const output = /^(?:(\d{3})\s+)?([[{].*)$/.exec(comment);
  if (!output) return { command, line };
  return {
    command,
    line,
    shown: output[2]!,
    ...(output[1] === undefined ? {} : { status: Number(output[1]) }),
  };
}

/** Index of the `#` that starts a shell comment (after a blank, outside quotes), or -1. */
function commentStart(text: string): number {
  let quote = '';
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && /\s/.test(text[k - 1] ?? '')) {
      return k;
    }
  }
  return -1;
}

/**
 * Checks that `actual` has the shape of `shown` (an output the page shows): every field it
 * shows is present with a value of the same JSON type, recursively; an array's items are
 * checked against its first shown item. `…` in `shown` stands for what it leaves out.
 * Returns the differences, each as `path: what`; empty when the shapes agree.
 */
export function shapeDifferences(shown: string, actual: unknown): string[] {
  const expected = JSON.parse(
    shown
      .replace(/\[\s*…\s*\]/g, '[]')
      .replace(/\{\s*…\s*\}/g, '{}')
      .replace(/,\s*…/g, '')
      .replace(/…\s*,/g, ''),
  ) as unknown;
  const out: string[] = [];
  compare(expected, actual, '$', out);
  return out;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function compare(expected: unknown, actual: unknown, path: string, out: string[]): void {
  if (kind(expected) !== kind(actual)) {
    out.push(`${path}: shown as ${kind(expected)}, is ${kind(actual)}`);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length > 0) {
      for (const [k, item] of actual.entries()) compare(expected[0], item, `${path}[${k}]`, out);
    }
    return;
  }
  if (kind(expected) === 'object') {
    const have = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
      if (!(key in have)) out.push(`${path}.${key}: shown, but missing`);
      else compare(value, have[key], `${path}.${key}`, out);
    }
  }
}
