// The contract test: every reply the suite's in-process nodes send (startTestNode installs the
// recorder) is checked against the OpenAPI document's response for its route and status — the
// status documented, the content type documented for it, a JSON body valid under its schema,
// Retry-After present where documented. The schemas are compiled by an ajv of our own from the
// document (JSON Schema 2020-12, as OpenAPI 3.1 says), not taken from the route objects.
// test/run.ts prints the coverage and fails the run on any violation.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { DASHBOARD_PATHS } from '../../src/http/dashboard-routes.ts';
import type { ObservedReply } from '../../src/http/reply-observer.ts';

interface Media {
  schema?: unknown;
}
interface DocResponse {
  headers?: Record<string, unknown>;
  content?: Record<string, Media>;
}
interface Operation {
  responses: Record<string, DocResponse>;
}
/** The parts of the OpenAPI document the check reads. */
export interface ContractDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

/**
 * Routes deliberately not in the document: the dashboard's modules, stylesheets and icon are
 * parts of the page at GET /, not an API (dashboard-routes.ts hides them).
 */
export const UNDOCUMENTED = new Set(
  DASHBOARD_PATHS.filter((path) => path !== '/').map((path) => `GET ${path}`),
);
/**
 * Replies no route answered: 404 NOT_FOUND, or the body parser's refusal (it runs before the
 * not-found handler), each in the document's Error schema.
 */
const NO_ROUTE = '(no route)';
const NO_ROUTE_STATUSES = new Set(['400', '404', '413', '415']);

/** `/polls/:pollId` as the document writes it: `/polls/{pollId}`. */
export function documentPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** An ajv for the document's schemas: 2020-12, formats, and its annotations as known words. */
export function documentAjv(doc: unknown): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: false });
  // ajv-formats is CommonJS: its function is the default export's `default`.
  formats.default(ajv);
  const extensions = new Set<string>(['example']);
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object')
      for (const [key, inner] of Object.entries(value)) {
        if (key.startsWith('x-')) extensions.add(key);
        walk(inner);
      }
  };
  walk(doc);
  ajv.addVocabulary([...extensions]);
  return ajv;
}

const essence = (type: string | undefined) => type?.split(';')[0]?.trim().toLowerCase();

/** A checker's findings as plain data: what a test process sends the run's coordinator. */
export interface ContractState {
  doc: ContractDocument;
  checked: number;
  violationCount: number;
  seen: [route: string, statuses: string[]][];
  violations: string[];
}

/** One checker holding every process's findings; undefined when no process saw a reply. */
export function mergedContract(states: ContractState[]): ContractChecker | undefined {
  const [first, ...rest] = states;
  if (!first) return undefined;
  const merged = new ContractChecker(first.doc);
  for (const state of [first, ...rest]) merged.absorb(state);
  return merged;
}

/** Checks replies against one document; keeps what it saw for the summary. */
export class ContractChecker {
  readonly #doc: ContractDocument;
  readonly #ajv: Ajv2020;
  readonly #validators = new Map<string, ValidateFunction>();
  /** route → statuses seen. */
  readonly seen = new Map<string, Set<string>>();
  readonly violations: string[] = [];
  readonly #kinds = new Set<string>();
  violationCount = 0;
  checked = 0;

  constructor(doc: ContractDocument) {
    this.#doc = doc;
    this.#ajv = documentAjv(doc);
  }

  /** Checks one reply; returns what is wrong with it, or undefined. */
  check(reply: ObservedReply): string | undefined {
    this.checked++;
    // HEAD answers as GET does, without a body (fastify adds HEAD routes by itself).
    const method = reply.method === 'HEAD' ? 'GET' : reply.method;
    const route = reply.route === undefined ? NO_ROUTE : `${method} ${reply.route}`;
    if (UNDOCUMENTED.has(route)) return undefined;
    const status = String(reply.status);
    const statuses = this.seen.get(route) ?? new Set();
    statuses.add(status);
    this.seen.set(route, statuses);
    const problem = this.#problem(reply, route, method, status);
    if (problem) {
      this.violationCount++;
      this.#keepExample(problem);
    }
    return problem;
  }

  #problem(reply: ObservedReply, route: string, method: string, status: string) {
    const where = `${route} → ${status}`;
    let response: DocResponse | undefined;
    let schema: unknown;
    if (route === NO_ROUTE) {
      if (!NO_ROUTE_STATUSES.has(status)) return `${where}: not 404 or a body parser refusal`;
      schema = this.#doc.components?.schemas?.Error;
    } else {
      const op = this.#doc.paths[documentPath(reply.route!)]?.[method.toLowerCase()];
      if (!op) return `${where}: the route is not in the document`;
      response = op.responses[status];
      if (!response)
        return `${where}: status not documented (documented: ${Object.keys(op.responses).join(' ')})`;
      if (response.headers?.['retry-after'] && reply.retryAfter === undefined)
        return `${where}: Retry-After documented but not sent`;
      const types = Object.keys(response.content ?? {});
      if (types.length === 0) {
        if (reply.body) return `${where}: a body where the document has none`;
        return undefined;
      }
      const type = essence(reply.contentType);
      if (!types.some((t) => essence(t) === type))
        return `${where}: content type ${reply.contentType} not documented (${types.join(', ')})`;
      if (type !== 'application/json') return undefined;
      schema = response.content?.[types.find((t) => essence(t) === type)!]?.schema;
    }
    if (reply.body === undefined || schema === undefined || reply.method === 'HEAD')
      return undefined;
    let body: unknown;
    try {
      body = JSON.parse(reply.body);
    } catch (error) {
      return `${where}: the body is not JSON (${(error as Error).message})`;
    }
    const validate = this.#validator(`${route} ${status}`, schema);
    if (validate(body)) return undefined;
    const first = validate.errors?.[0];
    return `${where}: body ${first?.instancePath || '/'} ${first?.message} ${JSON.stringify(first?.params)} in ${reply.body.slice(0, 300)}`;
  }

  #validator(key: string, schema: unknown): ValidateFunction {
    let validate = this.#validators.get(key);
    if (!validate) {
      validate = this.#ajv.compile(schema as object);
      this.#validators.set(key, validate);
    }
    return validate;
  }

  /** One line per kind of violation (where and what, without the body), with one example. */
  #keepExample(violation: string): void {
    const kind = violation.split(' in {')[0]!;
    if (!this.#kinds.has(kind) && this.violations.length < 50) {
      this.#kinds.add(kind);
      this.violations.push(violation);
    }
  }

  /** What this checker saw, for a run in several processes (test/run.ts) to merge. */
  state(): ContractState {
    return {
      doc: this.#doc,
      checked: this.checked,
      violationCount: this.violationCount,
      seen: [...this.seen].map(([route, statuses]) => [route, [...statuses]]),
      violations: [...this.violations],
    };
  }

  /** Adds another process's checker state (same document) to this one's. */
  absorb(other: ContractState): void {
    this.checked += other.checked;
    this.violationCount += other.violationCount;
    for (const [route, statuses] of other.seen) {
      const mine = this.seen.get(route) ?? new Set();
      for (const status of statuses) mine.add(status);
      this.seen.set(route, mine);
    }
    for (const violation of other.violations) this.#keepExample(violation);
  }

  /** Per route: statuses seen, and documented ones never seen; then the violations. */
  summary(): string {
    const lines = [`contract: ${this.checked} replies checked, ${this.violationCount} violations`];
    const routes = new Set([...this.seen.keys()]);
    for (const [path, item] of Object.entries(this.#doc.paths))
      for (const method of Object.keys(item))
        routes.add(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);
    for (const route of [...routes].sort()) {
      const seen = [...(this.seen.get(route) ?? [])].sort();
      const [method, url] = route.split(' ') as [string, string];
      const op = this.#doc.paths[documentPath(url ?? '')]?.[method.toLowerCase()];
      const unseen = Object.keys(op?.responses ?? {}).filter((s) => !seen.includes(s));
      lines.push(
        `  ${route}: seen ${seen.join(' ') || '–'}; documented, not seen ${unseen.join(' ') || '–'}`,
      );
    }
    lines.push(...this.violations.map((v) => `  VIOLATION ${v}`));
    return lines.join('\n');
  }
}

let checker: ContractChecker | undefined;

/**
 * The recorder startTestNode installs: checks each reply against the document of the first
 * node that asked (every node generates the same one), fetched lazily once it is running.
 */
export function contractRecorder(documentOf: () => unknown) {
  return (reply: ObservedReply) => {
    if (!checker) {
      const doc = documentOf();
      if (!doc) return;
      checker = new ContractChecker(JSON.parse(JSON.stringify(doc)) as ContractDocument);
    }
    checker.check(reply);
  };
}

/** The run's checker, once a node has replied. */
export function contractChecker(): ContractChecker | undefined {
  return checker;
}
