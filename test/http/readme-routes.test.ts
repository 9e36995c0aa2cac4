// README.md's API list against the routes the app registers: every route listed, and no listed
// route that does not exist. The dashboard's files are listed as `GET /` only.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { build } from '../../src/http/app.ts';
import { DASHBOARD_PATHS } from '../../src/http/dashboard-routes.ts';
import type { RunningNode } from '../../src/node.ts';
import { startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const routes = suite("README.md's API list names exactly the app's routes");
let node: RunningNode;

routes.before(async () => {
  node = await startTestNode(await sharedCluster());
});
routes.after(async () => {
  await node.close();
});

/** `METHOD /path` of every route a fresh app on the node's context registers. */
async function registered(): Promise<string[]> {
  const app = build(node.ctx);
  const found: string[] = [];
  // Plugins register their routes at ready(), after this hook is in place.
  app.addHook('onRoute', ({ method, url }) => {
    for (const m of [method].flat()) if (m !== 'HEAD') found.push(`${m} ${url}`);
  });
  await app.ready();
  await app.close();
  const assets = new Set(DASHBOARD_PATHS.filter((path) => path !== '/').map((p) => `GET ${p}`));
  return found.filter((route) => !assets.has(route)).sort();
}

/** Every `METHOD /path` written as code in the README's list of the API (its `- ` items). */
function listed(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const api = readme.slice(readme.indexOf('The API'), readme.indexOf('A voteId is recorded once'));
  const lines = api.split(/\n(?=- )/).filter((line) => line.startsWith('- '));
  assert.ok(lines.length > 0, 'the README has no API list');
  const routes = [...lines.join('\n').matchAll(/`(GET|POST|PUT|DELETE|PATCH) (\/[^`\s[]*)/g)];
  // A route named again in another's description is still one route.
  return [...new Set(routes.map((m) => `${m[1]} ${m[2]}`))].sort();
}

routes('every route is listed, and every listed route exists', async () => {
  const app = await registered();
  const readme = listed();
  assert.ok(app.includes('POST /polls/:pollId/close'), app.join('\n'));
  assert.equal(readme, app);
});

routes.run();
