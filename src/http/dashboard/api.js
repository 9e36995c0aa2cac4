// The node's own JSON API, as the dashboard asks it.

/** GET or POST JSON; throws an Error whose message is the API's `code: message`. */
export async function api(path, init = {}) {
  const res = await fetch(path, {
    ...init,
    headers: { accept: 'application/json', ...(init.headers ?? {}) },
  });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = body?.error;
    throw new Error(error ? `${error.code}: ${error.message}` : `HTTP ${res.status}`);
  }
  return body;
}
