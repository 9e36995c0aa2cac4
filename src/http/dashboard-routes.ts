// GET /: the dashboard, served by every node from the files in ./dashboard/ (plain HTML, ES
// modules that import one another by relative URL, CSS: no CDN, no build step, works offline).
// The files are read once when the plugin registers; each is sent with a strong ETag so
// browsers revalidate cheaply after a deploy.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { replies } from './route-replies.ts';

const FOLDER = new URL('./dashboard/', import.meta.url);
const JS = 'text/javascript; charset=utf-8';

/** The entry module and every module it imports (each served at /<name>). */
const MODULES = [
  'dashboard.js',
  'admin-panel.js',
  'api.js',
  'cluster-view.js',
  'count-view.js',
  'dom.js',
  'frame.js',
  'rounds-view.js',
  'schulze-view.js',
  'state.js',
  'tally-view.js',
  'vote-lookup.js',
];

/** URL path → file in FOLDER and its content type. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  ...Object.fromEntries(MODULES.map((file) => [`/${file}`, { file, type: JS }])),
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  // The API reference page's (src/http/reference-routes.ts).
  '/reference.css': { file: 'reference.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

/** Every URL path the dashboard serves (the page, its modules, CSS and icon). */
export const DASHBOARD_PATHS = Object.keys(FILES);

/**
 * Only this origin's scripts, styles, images and connections (fetch, EventSource); no plugins,
 * no framing, no <base>. Titles and labels are rendered with DOM text APIs, and this policy
 * would block an injected inline script or handler even if one slipped through.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'none'";

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** The dashboard's static files as a fastify plugin. */
export function dashboardRoutes() {
  return async (app: FastifyInstance) => {
    for (const [path, { file, type }] of Object.entries(FILES)) {
      const body = await readFile(new URL(file, FOLDER));
      const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
      const asset: Asset = { body, type, etag };
      app.get(path, { schema: schemaOf(path, type) }, async (request, reply) =>
        serve(asset, request, reply),
      );
    }
  };
}

/**
 * The page is in the API document; its modules, stylesheet and icon are not (hidden): they are
 * the page's parts, not an API, and their URLs may change with it.
 */
function schemaOf(path: string, type: string) {
  if (path !== '/') return { hide: true };
  return {
    summary: 'The dashboard',
    tags: ['pages'],
    response: replies(
      {
        200: ['The page', { content: { [type.split(';')[0]!]: { schema: { type: 'string' } } } }],
        304: ['Not modified (If-None-Match had its ETag)', { type: 'null' }],
      },
      [],
    ),
  };
}

function serve(asset: Asset, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    // Revalidate on every load: the URLs stay the same across versions, the ETag does not.
    .header('cache-control', 'no-cache')
    .header('etag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
  return reply.type(asset.type).send(asset.body);
}
