// Reads ops/prometheus/: the rule files, their promtool unit tests, and the metric names the
// rules' PromQL uses, so test/ops/prometheus-rules.test.ts can hold them to the code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';

export const RULES_DIR = join(import.meta.dirname, '../../ops/prometheus');
export const ALERTS_FILE = join(RULES_DIR, 'votestream-alerts.yml');
export const RECORDING_FILE = join(RULES_DIR, 'votestream-recording.yml');
export const TESTS_DIR = join(RULES_DIR, 'tests');

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

interface ExpAlert {
  exp_labels?: Record<string, string>;
  exp_annotations?: Record<string, string>;
}

interface RuleTestFile {
  rule_files: string[];
  tests: {
    name?: string;
    alert_rule_test?: { alertname: string; eval_time: string; exp_alerts?: ExpAlert[] }[];
    promql_expr_test?: { expr: string }[];
  }[];
}

/** Every rule of a rule file, in order, whatever its group. */
export function rulesOf(file: string): Rule[] {
  const parsed = parse(readFileSync(file, 'utf8')) as RuleFile;
  return parsed.groups.flatMap((g) => g.rules);
}

/** The promtool unit test files (tests/*.yml), as absolute paths. */
export function ruleTestFiles(): string[] {
  return readdirSync(TESTS_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(TESTS_DIR, f));
}

export function readRuleTests(file: string): RuleTestFile {
  return parse(readFileSync(file, 'utf8')) as RuleTestFile;
}

/** One alert_rule_test: a firing case when it expects alerts, a quiet one when it expects none. */
export interface AlertCase {
  file: string;
  test: string;
  alertname: string;
  evalTime: string;
  expAlerts: ExpAlert[];
}

/** Every alert_rule_test of every test file. */
export function alertCases(files = ruleTestFiles()): AlertCase[] {
  return files.flatMap((file) =>
    readRuleTests(file).tests.flatMap((t) =>
      (t.alert_rule_test ?? []).map((c) => ({
        file,
        test: t.name ?? '(unnamed)',
        alertname: c.alertname,
        evalTime: c.eval_time,
        expAlerts: c.exp_alerts ?? [],
      })),
    ),
  );
}

/** Every promql_expr_test expression of every test file. */
export function exprTests(files = ruleTestFiles()): string[] {
  return files.flatMap((file) =>
    readRuleTests(file).tests.flatMap((t) => (t.promql_expr_test ?? []).map((c) => c.expr)),
  );
}

/** PromQL words that look like metric names but are operators or modifiers. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers that are not functions or
 * aggregations (followed by "("), keywords, label names in matchers (`{…}`) or label lists
 * (`by (…)`, `on (…)`…), durations (`[5m]`) or strings. Enough for the expressions we write,
 * not a PromQL parser: the test checks it on an example with every construct we use.
 */
export function metricNames(expr: string): Set<string> {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = stripped.slice(m.index + m[0].length).trimStart();
    if (rest.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return names;
}

/**
 * The names a Prometheus text exposition declares (`# TYPE` lines), with the series names a
 * histogram or summary adds (`_bucket`, `_sum`, `_count`): what a query of it can select.
 */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to '-'. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** promtool's exit code and everything it printed. */
export async function promtool(args: string[]): Promise<{ exitCode: number; said: string }> {
  const result = await execa('promtool', args, { reject: false, all: true });
  if (result.exitCode === undefined)
    throw new Error(
      `promtool did not run (${result.shortMessage}): install it with apt-get install prometheus`,
    );
  return { exitCode: result.exitCode, said: result.all ?? '' };
}
