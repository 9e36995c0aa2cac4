// ops/prometheus/: the alert and recording rules pass promtool's check and unit tests, every
// alert has a firing and a quiet case, and the rules select only metrics a node exports.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDocument } from 'yaml';
import { startTestNode } from '../helpers/node.ts';
import {
  ALERTS_FILE,
  alertCases,
  exposedNames,
  exprTests,
  headingAnchor,
  metricNames,
  promtool,
  RECORDING_FILE,
  rulesOf,
  ruleTestFiles,
} from '../helpers/prometheus-rules.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const rules = suite('Prometheus rules (ops/prometheus)');
const alerts = rulesOf(ALERTS_FILE);
const records = rulesOf(RECORDING_FILE);
const OPERATIONS = join(import.meta.dirname, '../../docs/operations.md');

rules('promtool check rules accepts both rule files, every rule counted', async () => {
  const { exitCode, said } = await promtool(['check', 'rules', ALERTS_FILE, RECORDING_FILE]);
  assert.is(exitCode, 0, said);
  assert.ok(said.includes(`SUCCESS: ${alerts.length} rules found`), said);
  assert.ok(said.includes(`SUCCESS: ${records.length} rules found`), said);
  assert.ok(alerts.length >= 8 && records.length >= 8, 'rule files lost their rules');
});

rules('promtool test rules passes every unit test file', async () => {
  const files = ruleTestFiles();
  assert.equal(
    files.map((f) => basename(f)),
    ['alerts.test.yml', 'recording.test.yml'],
  );
  const { exitCode, said } = await promtool(['test', 'rules', ...files]);
  assert.is(exitCode, 0, said);
  assert.is(said.match(/SUCCESS/g)?.length, files.length, said);
});

rules('every alert has a firing case with labels and annotations, and a quiet case', () => {
  const names = new Set(alerts.map((a) => a.alert!));
  const cases = alertCases();
  for (const c of cases)
    assert.ok(names.has(c.alertname), `"${c.test}" tests ${c.alertname}, which is no alert`);
  for (const alert of alerts) {
    const mine = cases.filter((c) => c.alertname === alert.alert);
    const firing = mine.filter((c) => c.expAlerts.length > 0);
    const quiet = mine.filter((c) => c.expAlerts.length === 0);
    assert.ok(firing.length >= 1, `${alert.alert} has no case that fires it`);
    assert.ok(quiet.length >= 1, `${alert.alert} has no case where it stays quiet`);
    for (const c of firing)
      for (const exp of c.expAlerts) {
        assert.is(exp.exp_labels?.severity, alert.labels?.severity, `${c.test}: severity`);
        assert.equal(
          Object.keys(exp.exp_annotations ?? {}).sort(),
          Object.keys(alert.annotations ?? {}).sort(),
          `${c.test}: every annotation is checked`,
        );
      }
  }
});

rules('every alert waits, has a severity, says what it means and links its docs', () => {
  const anchors = new Set(
    [...readFileSync(OPERATIONS, 'utf8').matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
      headingAnchor(m[1]!),
    ),
  );
  for (const a of alerts) {
    assert.match(a.alert!, /^Votestream[A-Z][A-Za-z]+$/);
    assert.match(a.for ?? '', /^\d+[smh]$/, `${a.alert}: for`);
    assert.ok(['warning', 'critical'].includes(a.labels?.severity ?? ''), `${a.alert}: severity`);
    assert.ok((a.annotations?.summary ?? '').length > 10, `${a.alert}: summary`);
    assert.ok((a.annotations?.description ?? '').length > 60, `${a.alert}: description`);
    assert.match(a.expr, /job="votestream"/, `${a.alert}: the documented job label`);
    const runbook = a.annotations?.runbook ?? '';
    const [path, anchor] = runbook.split('#');
    assert.is(path, 'docs/operations.md', `${a.alert}: runbook`);
    assert.ok(anchors.has(anchor!), `${a.alert}: docs/operations.md has no heading #${anchor}`);
  }
});

rules('every recorded series is named level:metric:operations and has a unit test', () => {
  const tested = exprTests().flatMap((e) => [...metricNames(e)]);
  for (const r of records) {
    assert.match(r.record!, /^[a-z_]+:votestream_[a-z0-9_]+:[a-z0-9_]+$/, r.record);
    assert.ok(tested.includes(r.record!), `no promql_expr_test reads ${r.record}`);
  }
});

rules('metricNames finds the names an expression selects and nothing else', () => {
  const expr = `min by (job, shard) (up{job="votestream", route!~"/health|/metrics"}) > 0
    and on (job, shard) max by (job) (changes(a_total[2m] offset 1m)) == 0
    or histogram_quantile(0.99, job_le:b_bucket:rate1m) / sum without (le) (c) > bool 0.5`;
  assert.equal([...metricNames(expr)].sort(), ['a_total', 'c', 'job_le:b_bucket:rate1m', 'up']);
});

rules('every metric the rules select is one a node exports on GET /metrics', async () => {
  const recorded = new Set(records.map((r) => r.record!));
  const used = new Set([...alerts, ...records].flatMap((r) => [...metricNames(r.expr)]));
  // The extraction found what the rules are about (an empty set would pass the loop below).
  for (const name of ['up', 'votestream_is_leader', 'votestream_append_seconds_bucket'])
    assert.ok(used.has(name), `${name} not found in the rules`);
  const node = await startTestNode(await sharedCluster(), { VS_NODE_ID: 'rules-node' });
  try {
    const exposition = (await node.app.inject({ url: '/metrics' })).body;
    const exposed = exposedNames(exposition);
    assert.ok(exposed.has('votestream_votes_total'), 'the exposition was not read');
    for (const name of used) {
      // up is Prometheus's own series for each scrape; a:b:c names are recorded here.
      if (name === 'up') continue;
      if (name.includes(':')) {
        assert.ok(recorded.has(name), `${name} is used but recorded by no rule`);
        continue;
      }
      assert.ok(exposed.has(name), `the rules select ${name}, which GET /metrics does not export`);
    }
  } finally {
    await node.close();
  }
});

rules(
  "each alert's firing case fails when it never fires, its quiet case when it always fires",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-rules-'));
    try {
      mkdirSync(join(dir, 'tests'));
      const tests = join(dir, 'tests', 'alerts.test.yml');
      copyFileSync(join(ruleTestFiles()[0]!), tests);
      // An alert_rule_test compares the alerts of its own alertname only, so one run with
      // every alert broken the same way shows, case by case, which cases catch it.
      const cases = alertCases();
      for (const [mutant, expr, shouldFail] of [
        ['never', 'vector(1) == 0', cases.filter((c) => c.expAlerts.length > 0)],
        ['always', 'vector(1)', cases.filter((c) => c.expAlerts.length === 0)],
      ] as const) {
        const doc = parseDocument(readFileSync(ALERTS_FILE, 'utf8'));
        for (const index of alerts.keys()) doc.setIn(['groups', 0, 'rules', index, 'expr'], expr);
        writeFileSync(join(dir, 'votestream-alerts.yml'), doc.toString());
        const { exitCode, said } = await promtool(['test', 'rules', tests]);
        assert.is(exitCode, 1, `alerts that ${mutant} fire passed every case`);
        const failed = [...said.matchAll(/name: (.+),\s+alertname: (\w+), time: (\w+),/g)].map(
          ([, test, alertname, time]) => `${alertname} in "${test}" at ${seconds(time!)} s`,
        );
        for (const c of shouldFail) {
          const key = `${c.alertname} in "${c.test}" at ${seconds(c.evalTime)} s`;
          assert.ok(failed.includes(key), `${key} still passes when the alert ${mutant} fires`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** Seconds of a Prometheus duration such as 2m, 75s or 1m15s. */
function seconds(duration: string): number {
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1 };
  let total = 0;
  for (const [, n, u] of duration.matchAll(/(\d+)([hms])/g)) total += Number(n) * unit[u!]!;
  return total;
}

rules.run();
