import { readdirSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DASHBOARD_CSP } from '../../src/http/dashboard-routes.ts';
import type { RunningNode } from '../../src/node.ts';
import { startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const dashboard = suite('GET /: the dashboard files');
let node: RunningNode;

dashboard.before(async () => {
  node = await startTestNode(await sharedCluster(), {
    VS_NODE_ID: 'dash-node',
    VS_MEMBERS: 'dash-node',
    VS_HEARTBEAT_MS: '100',
    VS_LEASE_MS: '1000',
  });
});
dashboard.after(async () => {
  await node.close();
});

const FOLDER = new URL('../../src/http/dashboard/', import.meta.url);
const JS = /^text\/javascript; charset=utf-8$/;
/** The entry module and the modules it imports, directly or not. */
const MODULES = [
  '/dashboard.js',
  '/admin-panel.js',
  '/api.js',
  '/cluster-view.js',
  '/count-view.js',
  '/dom.js',
  '/frame.js',
  '/rounds-view.js',
  '/schulze-view.js',
  '/state.js',
  '/tally-view.js',
  '/vote-lookup.js',
];
const ASSETS = [
  ['/', /^text\/html; charset=utf-8$/],
  ['/dashboard.css', /^text\/css; charset=utf-8$/],
  ...MODULES.map((url) => [url, JS] as const),
  ['/favicon.svg', /^image\/svg\+xml$/],
] as const;

/** The URLs a module imports or re-exports from (`… from './x.js';`), as written. */
function importsOf(source: string): string[] {
  return [...source.matchAll(/^(?:import|export)\s[^;'"]*\sfrom\s*'([^']+)';$/gm)].map(
    (m) => m[1]!,
  );
}

dashboard('GET / is the HTML page, with a strict CSP and revalidation headers', async () => {
  const res = await node.app.inject({ url: '/' });
  assert.is(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  const csp = String(res.headers['content-security-policy']);
  assert.is(csp, DASHBOARD_CSP);
  assert.match(csp, /(^|; )default-src 'self'(;|$)/);
  assert.not.match(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.is(res.headers['x-content-type-options'], 'nosniff');
  assert.is(res.headers['cache-control'], 'no-cache');
  assert.match(String(res.headers.etag), /^"[\w-]+"$/);
  assert.match(res.body, /<script type="module" src="\/dashboard\.js"><\/script>/);
  assert.match(res.body, /<link rel="stylesheet" href="\/dashboard\.css" \/>/);
});

dashboard('every file is served with its content type and the same CSP', async () => {
  for (const [url, type] of ASSETS) {
    const res = await node.app.inject({ url });
    assert.is(res.statusCode, 200, url);
    assert.match(String(res.headers['content-type']), type, url);
    assert.is(res.headers['content-security-policy'], DASHBOARD_CSP, url);
    assert.ok(res.rawPayload.length > 0, url);
  }
});

dashboard('a matching If-None-Match is a 304 without a body', async () => {
  const first = await node.app.inject({ url: '/dashboard.js' });
  const etag = String(first.headers.etag);
  const again = await node.app.inject({ url: '/dashboard.js', headers: { 'if-none-match': etag } });
  assert.is(again.statusCode, 304);
  assert.is(again.body, '');
  const stale = await node.app.inject({
    url: '/dashboard.js',
    headers: { 'if-none-match': '"x"' },
  });
  assert.is(stale.statusCode, 200);
});

dashboard('the page loads nothing from elsewhere and never writes data as markup', async () => {
  for (const [url] of ASSETS.filter(([url]) => url !== '/favicon.svg')) {
    const { body } = await node.app.inject({ url });
    // Offline: no absolute URL at all (the SVG's xmlns is the favicon's only one, not checked).
    assert.not.match(body, /https?:\/\//, url);
  }
  for (const url of MODULES) {
    const script = readFileSync(new URL(`.${url}`, FOLDER));
    assert.not.match(
      script.toString(),
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
      url,
    );
  }
});

dashboard('every module is served, and every module it imports is one of them', async () => {
  const files = readdirSync(FOLDER).filter((f) => f.endsWith('.js'));
  assert.equal(MODULES.map((url) => url.slice(1)).sort(), files.sort(), 'a module is not listed');
  const reached = new Set<string>();
  const queue = ['/dashboard.js'];
  for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
    if (reached.has(url)) continue;
    reached.add(url);
    const res = await node.app.inject({ url });
    assert.is(res.statusCode, 200, url);
    assert.match(String(res.headers['content-type']), JS, url);
    for (const specifier of importsOf(res.body)) {
      // Relative to the importing module, which is served from the root: same origin, no CDN.
      assert.match(specifier, /^\.\/[\w-]+\.js$/, `${url} imports ${specifier}`);
      queue.push(specifier.slice(1));
    }
  }
  // The entry reaches every module: none is served but never loaded.
  assert.equal([...reached].sort(), [...MODULES].sort());
});

dashboard('/cluster has what the dashboard shows: applied seq per node, clock delta', async () => {
  type View = {
    members: { nodeId: string; clockDeltaMs: number | null }[];
    shards: { appliedBy: Record<string, number> }[];
  };
  let view: View | undefined;
  await until(
    async () => {
      view = (await node.app.inject({ url: '/cluster' })).json() as View;
      return view.members.some((m) => m.nodeId === 'dash-node' && m.clockDeltaMs !== null);
    },
    5000,
    'no heartbeat of its own in the view',
  );
  const self = view!.members.find((m) => m.nodeId === 'dash-node')!;
  // Its own heartbeat, read back by itself: only the delivery time and rounding apart.
  assert.ok(Math.abs(self.clockDeltaMs!) < 1000, `clock delta ${self.clockDeltaMs}`);
  assert.is(view!.shards.length, 16);
  for (const shard of view!.shards) assert.type(shard.appliedBy['dash-node'], 'number');
});

dashboard.run();
