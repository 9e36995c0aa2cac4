// GET /reference: the API reference page, rendered from the OpenAPI document once, on the
// first request (when every route is known), under the dashboard's CSP. Its stylesheet is one
// of the dashboard's files (/reference.css).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DASHBOARD_CSP } from './dashboard-routes.ts';
import { type ApiDocument, renderReference } from './reference-page.ts';
import { replies } from './route-replies.ts';

/** The reference page of `root`'s document, as a fastify plugin. */
export function referenceRoutes(root: FastifyInstance) {
  return async (app: FastifyInstance) => {
    let page: string | undefined;
    app.get(
      '/reference',
      {
        schema: {
          summary: 'This reference, as a page',
          tags: ['pages'],
          response: replies(
            { 200: ['The page', { content: { 'text/html': { schema: { type: 'string' } } } }] },
            [],
          ),
        },
      },
      async (_request, reply) => {
        page ??= renderReference(root.swagger() as unknown as ApiDocument);
        return secured(reply).type('text/html; charset=utf-8').send(page);
      },
    );
  };
}

function secured(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
}
