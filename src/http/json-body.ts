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
    const text = bytes.toString('utf8');
    parse(request, text, (error, value) => {
      done(error && prototypeKeyOnly(text) ? forbiddenKey() : error, value);
    });
  });
}

const forbiddenKey = () =>
  new VoteStreamError(
    'INVALID_JSON',
    'the body has a "__proto__" or "constructor.prototype" key, which is refused',
  );

/**
 * Whether the parser refused `text` for a forbidden key, not for its syntax: the text is valid
 * JSON (its refusal said only "not valid JSON", which sent a client looking for a syntax error).
 * Runs only on a refused body.
 */
function prototypeKeyOnly(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
