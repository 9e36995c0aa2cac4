// The API reference page: the OpenAPI document rendered as plain HTML on the server, so the
// page needs no script, no UI bundle and nothing from elsewhere (it is served under the
// dashboard's CSP). Pure: document in, HTML out.

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, unknown>[];
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: unknown;
  }[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, Response>;
}
interface Media {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Response {
  description?: string;
  headers?: Record<string, { description?: string }>;
  content?: Record<string, Media>;
}
/** The parts of an OpenAPI 3.1 document the page shows. */
export interface ApiDocument {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The page for `doc`: every operation with its parameters, request body and responses. */
export function renderReference(doc: ApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m.toUpperCase(), op: item[m]! })),
  );
  const toc = operations
    .map(
      ({ path, method, op }) =>
        `<li><a href="#${anchor(method, path)}"><code>${esc(method)} ${esc(path)}</code></a> ${esc(op.summary ?? '')}</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} API reference</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/reference.css">
</head>
<body>
<header><h1>${esc(doc.info.title)} API <small>${esc(doc.info.version)}</small></h1>
<p><a href="/">Dashboard</a> · <a href="/openapi.json">OpenAPI 3.1 document</a></p></header>
<main>
<p>${esc(doc.info.description ?? '')}</p>
<nav><h2>Routes</h2><ul>
${toc}
</ul></nav>
${operations.map(({ path, method, op }) => section(method, path, op)).join('\n')}
</main>
</body>
</html>
`;
}

function section(method: string, path: string, op: Operation): string {
  const parts = [
    `<section id="${anchor(method, path)}">`,
    `<h2><code>${esc(method)} ${esc(path)}</code></h2>`,
    op.summary ? `<p><strong>${esc(op.summary)}</strong></p>` : '',
    op.description ? `<p>${esc(op.description)}</p>` : '',
    op.security?.some((s) => 'admin' in s)
      ? '<p class="auth">Admin: <code>Authorization: Bearer &lt;VS_ADMIN_TOKEN&gt;</code></p>'
      : '',
  ];
  if (op.parameters?.length) {
    const rows = op.parameters.map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${esc(p.description ?? '')}</td><td>${json(p.schema)}</td></tr>`,
    );
    parts.push(
      '<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>required</th><th>about</th><th>schema</th></tr>',
      ...rows,
      '</table>',
    );
  }
  if (op.requestBody?.content) parts.push('<h3>Request body</h3>', media(op.requestBody.content));
  parts.push('<h3>Responses</h3>');
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    parts.push(`<h4>${esc(status)}</h4>`, `<p>${esc(response.description ?? '')}</p>`);
    for (const [name, header] of Object.entries(response.headers ?? {}))
      parts.push(`<p>Header <code>${esc(name)}</code>: ${esc(header.description ?? '')}</p>`);
    if (response.content) parts.push(media(response.content));
  }
  parts.push('</section>');
  return parts.filter(Boolean).join('\n');
}

function media(content: Record<string, Media>): string {
  return Object.entries(content)
    .map(([type, m]) => {
      const examples = [
        ...(m.example === undefined ? [] : [m.example]),
        ...Object.values(m.examples ?? {}).map((e) => e.value),
      ];
      return [
        `<p>Content type <code>${esc(type)}</code></p>`,
        `<details><summary>schema</summary>${json(m.schema)}</details>`,
        ...examples.map((e) => `<p>Example</p>${json(e)}`),
      ].join('\n');
    })
    .join('\n');
}

function json(value: unknown): string {
  return value === undefined ? '' : `<pre>${esc(JSON.stringify(value, null, 2))}</pre>`;
}

function anchor(method: string, path: string): string {
  return `${method}-${path}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function esc(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
