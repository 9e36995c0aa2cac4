// JSON bodies are UTF-8 (RFC 8259). Fastify's own parser decodes the body leniently, turning
// invalid bytes into U+FFFD: two different byte strings would then name the same voter. Here
// such a body is refused (400 INVALID_JSON), and the rest is fastify's secure parser.
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { VoteStreamError } from '../errors.ts';

/** Replaces the application/json parser with one that refuses bodies that are not UTF-8. */
export function installJsonParser(app: FastifyInstance): void {
  // "error": a "__proto__" or "constructor.prototype" key is a 400, never a merged property.
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(new VoteStreamError('INVALID_JSON', 'the body is not valid UTF-8'), undefined);
      return;
    }
    parse(request, bytes.toString('utf8'), done);
  });
}
