// The Cluster section and the header: GET /cluster every second, drawn as the members, the
// shards (durable, head, committed, each node's applied seq and lag) and appends/s and
// commits/s over the last minute (from the change of the summed head and committed seqs).
import { api } from './api.js';
import { $, el } from './dom.js';
import { invalidate } from './frame.js';

const CLUSTER_EVERY_MS = 1000;
const SPARK_POINTS = 60;

const view = {
  cluster: undefined,
  error: '',
  rates: { appends: [], commits: [], last: undefined },
};

/** Reads GET /cluster now and then every second, for as long as the page is open. */
export async function refreshCluster() {
  try {
    const cluster = await api('/cluster');
    view.cluster = cluster;
    view.error = '';
    sampleRates(cluster);
  } catch (error) {
    view.error = error.message;
  }
  invalidate('cluster');
  setTimeout(refreshCluster, CLUSTER_EVERY_MS);
}

/** appends/s and commits/s from the change of the summed head and committed seqs. */
function sampleRates(cluster) {
  const heads = cluster.shards.map((s) => s.headSeq);
  if (heads.some((h) => h === null)) return;
  const now = performance.now();
  const totals = {
    at: now,
    head: heads.reduce((a, b) => a + b, 0),
    committed: cluster.shards.reduce((a, s) => a + s.committedSeq, 0),
  };
  const last = view.rates.last;
  view.rates.last = totals;
  if (!last) return;
  const seconds = (now - last.at) / 1000;
  if (seconds <= 0) return;
  push(view.rates.appends, Math.max(0, (totals.head - last.head) / seconds));
  push(view.rates.commits, Math.max(0, (totals.committed - last.committed) / seconds));
}

function push(series, value) {
  series.push(value);
  if (series.length > SPARK_POINTS) series.shift();
}

/** Draws the header and the Cluster section from the last /cluster read. */
export function renderCluster() {
  const c = view.cluster;
  $('connection').textContent = view.error ? `⚠ ${view.error}` : '';
  if (!c) return;
  $('node').textContent = c.nodeId;
  $('role').textContent = c.role;
  $('leader').textContent = c.leader ? c.leader.nodeId : 'none';
  $('leader-box').classList.toggle('missing', !c.leader);
  $('term').textContent = `term ${c.term}`;
  const { offsetMs, uncertaintyMs } = c.clock;
  $('clock').textContent =
    `clock offset ${signed(offsetMs)} ms` +
    (uncertaintyMs === null ? '' : ` ± ${uncertaintyMs} ms`);

  $('members').tBodies[0].replaceChildren(
    ...c.members.map((m) => {
      const leads = c.leader?.nodeId === m.nodeId;
      const row = el(
        'tr',
        { className: leads ? 'is-leader' : '', dataset: { node: m.nodeId } },
        el(
          'td',
          {},
          m.nodeId,
          leads ? el('span', { className: 'badge', title: 'leader' }, '★ leader') : undefined,
          m.nodeId === c.nodeId ? el('small', {}, ' (this node)') : undefined,
          m.member ? undefined : el('small', {}, ' observer'),
        ),
        // A dead node's role is only what its last heartbeat said.
        m.status === 'dead' && m.role
          ? el('td', { className: 'stale', dataset: { role: 'role' } }, `was ${m.role}`)
          : el('td', { dataset: { role: 'role' } }, m.role ?? '–'),
        el('td', {}, m.term ?? '–'),
        el('td', { className: `status-${m.status}`, dataset: { role: 'status' } }, m.status),
        el('td', {}, duration(m.lastHeartbeatAgeMs)),
        el('td', {}, m.clockDeltaMs === null ? '–' : `${signed(m.clockDeltaMs)} ms`),
        el('td', {}, duration(m.uptimeMs)),
      );
      if (m.divergent?.length) row.classList.add('divergent');
      return row;
    }),
  );

  renderShards(c);
  renderSpark('appends', view.rates.appends);
  renderSpark('commits', view.rates.commits);
}

function renderShards(c) {
  const nodes = [...new Set(c.shards.flatMap((s) => Object.keys(s.appliedBy ?? {})))].sort();
  const table = $('shards');
  table.tHead.replaceChildren(
    el(
      'tr',
      {},
      el('th', {}, 'shard'),
      el(
        'th',
        { title: 'can a vote of this shard be made durable now, and if not, why' },
        'durable',
      ),
      el('th', {}, 'head'),
      el('th', {}, 'committed'),
      ...nodes.map((n) => el('th', {}, n)),
    ),
  );
  table.tBodies[0].replaceChildren(
    ...c.shards.map((s) =>
      el(
        'tr',
        {},
        el('td', {}, s.shard, s.broken ? el('span', { className: 'badge bad' }, 'broken') : ''),
        durableCell(s),
        el('td', {}, s.headSeq ?? '?'),
        el('td', { className: s.committedSeq < (s.headSeq ?? 0) ? 'behind' : '' }, s.committedSeq),
        ...nodes.map((n) => {
          const applied = s.appliedBy?.[n];
          if (applied === undefined) return el('td', {}, '–');
          const lag = Math.max(0, (s.headSeq ?? applied) - applied);
          return el(
            'td',
            { className: lag ? 'behind' : '' },
            applied,
            lag ? el('small', {}, ` (${lag})`) : '',
          );
        }),
      ),
    ),
  );
}

/** Whether a vote of the shard can be made durable now: yes, or a red badge saying why not. */
function durableCell(s) {
  const replicas =
    s.replicasInSync === null || s.replicasInSync === undefined
      ? ''
      : `${s.replicasInSync} replica${s.replicasInSync === 1 ? '' : 's'} in sync`;
  if (s.durable === true)
    return el(
      'td',
      { dataset: { role: 'durable' }, title: replicas },
      s.durableReason ? el('small', {}, s.durableReason) : 'yes',
    );
  if (s.durable === false)
    return el(
      'td',
      { dataset: { role: 'durable' }, title: replicas },
      el('span', { className: 'badge bad' }, s.durableReason ?? 'no'),
    );
  return el('td', { dataset: { role: 'durable' }, className: 'muted' }, '?');
}

function renderSpark(name, series) {
  const last = series[series.length - 1];
  const max = Math.max(1, ...series);
  $(`${name}-rate`).textContent = last === undefined ? '–' : Math.round(last).toLocaleString();
  $(`${name}-peak`).textContent =
    series.length > 1 ? `peak ${Math.round(max).toLocaleString()} in ${series.length} s` : '';
  const step = 120 / (SPARK_POINTS - 1);
  const offset = SPARK_POINTS - series.length;
  const points = series
    .map((v, i) => `${((offset + i) * step).toFixed(1)},${(29 - (v / max) * 28).toFixed(1)}`)
    .join(' ');
  $(`${name}-spark`).querySelector('polyline').setAttribute('points', points);
}

function signed(n) {
  return n > 0 ? `+${n}` : String(n);
}

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
