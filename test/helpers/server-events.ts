// Reads a node's Server-Sent Events (GET /polls/:pollId/events) over real HTTP, as a browser's
// EventSource would, so tests see each `tally` event as it was sent.
import * as assert from 'uvu/assert';

export interface TallyEvent<T> {
  id: string;
  event: 'tally';
  data: T;
  /** When the test received it (Date.now()). */
  at: number;
}

/**
 * Reads the `tally` events of `url` until `stop` says enough or `timeoutMs` passes; returns
 * those read. `data` is each event's JSON, as sent.
 */
export async function readEvents<T = Record<string, never>>(
  url: string,
  stop: (events: TallyEvent<T>[]) => boolean,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<TallyEvent<T>[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: TallyEvent<T>[] = [];
  try {
    const res = await fetch(url, { headers, signal: controller.signal });
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => line && !line.startsWith(':'))
            .map((line) => [
              line.slice(0, line.indexOf(':')),
              line.slice(line.indexOf(':') + 1).trim(),
            ]),
        );
        if (fields.event === 'tally')
          events.push({
            id: String(fields.id),
            event: 'tally',
            data: JSON.parse(String(fields.data)) as T,
            at: Date.now(),
          });
        end = buffer.indexOf('\n\n');
      }
      if (stop(events)) break;
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
