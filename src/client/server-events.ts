// Server-sent events (text/event-stream) from text chunks: the `event`, `data` and `id` fields
// of each event, per the WHATWG parsing rules the tally stream needs (comments and `retry`
// lines skipped, multi-line data joined with "\n", CRLF or LF line ends).

/** One dispatched event. */
export interface ServerEvent {
  /** `message` when the event names none. */
  event: string;
  data: string;
  /** The last `id` seen on the stream, if any. */
  id: string | undefined;
}

/** Feeds text in, takes whole events out; a partial line waits for the next chunk. */
export class ServerEventParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #id: string | undefined;

  /** The events completed by `chunk`, in order. */
  push(chunk: string): ServerEvent[] {
    this.#buffer += chunk;
    const out: ServerEvent[] = [];
    for (;;) {
      const end = this.#buffer.search(/\r\n|\n|\r/);
      // A lone "\r" at the end may be the first half of "\r\n": wait for the next chunk.
      if (end < 0 || (this.#buffer[end] === '\r' && end === this.#buffer.length - 1)) break;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (this.#data.length > 0)
          out.push({ event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id });
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.#event = value;
      else if (field === 'data') this.#data.push(value);
      else if (field === 'id' && !value.includes('\0')) this.#id = value;
    }
    return out;
  }
}
