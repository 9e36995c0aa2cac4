// GET /openapi.json against an independent OpenAPI 3.1 validator (not the generator), every
// route of the app in it, every response schema compilable as JSON Schema 2020-12, and the
// reference page: self-contained, under the dashboard's CSP, naming every route.
import { Validator } from '@seriousme/openapi-schema-validator';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ERRORS } from '../../src/errors.ts';
import { build } from '../../src/http/app.ts';
import { DASHBOARD_CSP } from '../../src/http/dashboard-routes.ts';
import type { RunningNode } from '../../src/node.ts';
import {
  type ContractDocument,
  documentAjv,
  documentPath,
  UNDOCUMENTED,
} from '../helpers/contract.ts';
import { startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

interface Doc extends ContractDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}
interface Operation {
  security?: Record<string, unknown>[];
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema: object }> }
  >;
}

const doc = suite('GET /openapi.json: an OpenAPI 3.1 document of every route');
let node: RunningNode;
let document: Doc;

doc.before(async () => {
  node = await startTestNode(await sharedCluster());
  const res = await node.app.inject({ url: '/openapi.json' });
  assert.is(res.statusCode, 200, res.body);
  document = res.json();
});
doc.after(async () => {
  await node.close();
});

/** Every operation of the document as [`METHOD /path`, operation]. */
function operations(): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      op,
    ]),
  );
}

doc('validates as OpenAPI 3.1 with @seriousme/openapi-schema-validator', async () => {
  assert.is(document.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document) as never);
  assert.equal(result.errors, undefined, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
  assert.ok(result.valid);
  assert.is(validator.version, '3.1');
});

doc('the validator refuses a broken copy (a response without its description)', async () => {
  const broken = structuredClone(document);
  const created = broken.paths['/votes']?.post?.responses['201'] as { description?: string };
  assert.ok(created?.description);
  delete created.description;
  const result = await new Validator().validate(broken as never);
  assert.not.ok(result.valid);
});

doc('has every route the app registers, but HEAD routes and the dashboard assets', async () => {
  const app = build(node.ctx);
  const registered: string[] = [];
  app.addHook('onRoute', ({ method, url }) => {
    for (const m of [method].flat()) registered.push(`${m} ${url}`);
  });
  await app.ready();
  await app.close();
  // HEAD: fastify adds one per GET route by itself, answering as the GET does without a body.
  const expected = registered
    .filter((route) => !route.startsWith('HEAD ') && !UNDOCUMENTED.has(route))
    .map((route) => {
      const [method, url] = route.split(' ') as [string, string];
      return `${method} ${documentPath(url)}`;
    });
  assert.equal(
    operations()
      .map(([route]) => route)
      .sort(),
    expected.sort(),
  );
  assert.ok(expected.length >= 20, `only ${expected.length} routes`);
});

doc('every operation answers a success and documents its errors with stable codes', () => {
  for (const [route, op] of operations()) {
    const statuses = Object.keys(op.responses);
    assert.ok(
      statuses.some((s) => s.startsWith('2')),
      `${route}: no 2xx`,
    );
    assert.ok(statuses.includes('500'), `${route}: no 500`);
    for (const status of statuses.filter((s) => Number(s) >= 400)) {
      const json = op.responses[status]?.content?.['application/json']?.schema as {
        properties?: { error?: { properties?: { code?: { enum?: string[] } } } };
      };
      const codes = json?.properties?.error?.properties?.code?.enum ?? [];
      if (route === 'GET /health' && status === '503') continue;
      assert.ok(codes.length > 0, `${route} ${status}: no error codes`);
      for (const code of codes)
        assert.is(ERRORS[code as keyof typeof ERRORS]?.status, Number(status), `${route}: ${code}`);
    }
    for (const status of statuses.filter((s) => s === '503' || s === '429'))
      assert.ok(op.responses[status]?.headers?.['retry-after'], `${route} ${status}: Retry-After`);
  }
});

doc('admin routes name the bearer scheme and answer 401 and 403', () => {
  const admin = operations().filter(([, op]) => op.security?.some((s) => 'admin' in s));
  assert.equal(admin.map(([route]) => route).sort(), [
    'POST /cluster/members',
    'POST /polls',
    'POST /polls/{pollId}/close',
    'POST /polls/{pollId}/participation',
    'POST /polls/{pollId}/roll',
    'POST /polls/{pollId}/tokens',
  ]);
  for (const [route, op] of admin) {
    assert.ok(op.responses['401'], `${route}: 401`);
    assert.ok(op.responses['403'], `${route}: 403`);
  }
});

doc('has no keyword of ours outside x- extensions, and every schema compiles as 2020-12', () => {
  const text = JSON.stringify(document);
  for (const keyword of ['identity', 'instant', 'wellFormed'])
    assert.not.match(text, new RegExp(`"${keyword}":(true|false)`), keyword);
  assert.match(text, /"x-identity":true/);
  const ajv = documentAjv(document);
  for (const [route, op] of operations())
    for (const [status, response] of Object.entries(op.responses))
      for (const media of Object.values(response.content ?? {}))
        try {
          ajv.compile(media.schema);
        } catch (error) {
          assert.unreachable(`${route} ${status}: ${(error as Error).message}`);
        }
});

doc('the main routes carry examples that their own schemas accept', () => {
  const ajv = documentAjv(document);
  const votes = document.paths['/votes']?.post as unknown as {
    requestBody: { content: { 'application/json': { schema: object; example?: unknown } } };
    responses: Record<
      string,
      { content: { 'application/json': { schema: object; example?: unknown } } }
    >;
  };
  const request = votes.requestBody.content['application/json'];
  assert.ok(request.example, 'POST /votes request example');
  assert.ok(ajv.validate(request.schema, request.example), ajv.errorsText());
  const created = votes.responses['201']!.content['application/json'];
  assert.ok(created.example, 'POST /votes 201 example');
  assert.ok(ajv.validate(created.schema, created.example), ajv.errorsText());
});

doc.run();

const page = suite('GET /reference: the API reference page');
let pageNode: RunningNode;

page.before(async () => {
  pageNode = await startTestNode(await sharedCluster());
});
page.after(async () => {
  await pageNode.close();
});

page('is served under the dashboard CSP, self-contained, and names every route', async () => {
  const res = await pageNode.app.inject({ url: '/reference' });
  assert.is(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.is(res.headers['content-security-policy'], DASHBOARD_CSP);
  assert.not.match(res.body, /<script/i);
  assert.not.match(res.body, /(src|href)="(https?:)?\/\//i);
  const doc: Doc = (await pageNode.app.inject({ url: '/openapi.json' })).json();
  for (const [path, item] of Object.entries(doc.paths))
    for (const method of Object.keys(item))
      assert.ok(res.body.includes(`${method.toUpperCase()} ${path}`), `${method} ${path}`);
  const css = await pageNode.app.inject({ url: '/reference.css' });
  assert.is(css.statusCode, 200);
  assert.is(css.headers['content-security-policy'], DASHBOARD_CSP);
});

page('the dashboard links to it', async () => {
  const res = await pageNode.app.inject({ url: '/' });
  assert.match(res.body, /href="\/reference"/);
});

page.run();
