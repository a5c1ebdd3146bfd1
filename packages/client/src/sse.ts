/** One server-sent event. `event` is 'message' when the server named none. */
export interface SseEvent {
  event: string;
  data: string;
  id: string;
}

// Line ends are CRLF, LF or CR; a CR at the very end of a chunk may be the first half of a CRLF,
// so it stays in the buffer until the next chunk shows which.
const LINE_END = /\r\n|\r(?!$)|\n/;

/**
 * Reads a `text/event-stream` body as the HTML standard's EventSource parser does
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * `data:` lines join with newlines, a blank line dispatches, `:` lines are comments, and an event
 * the stream ends in the middle of is dropped. EventSource itself cannot send an Authorization
 * header, hence this parser over fetch. Returning early (`break` in `for await`) or aborting
 * `signal` cancels the body and ends the events quietly.
 */
export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  // The fetch's own signal is not enough: Node's fetch follows a combined signal
  // (AbortSignal.any) only weakly, and once collected an abort never reaches the body.
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  if (signal?.aborted) cancel();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(LINE_END);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (data.length) yield { event: event || 'message', data: data.join('\n'), id };
          data = [];
          event = '';
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
        else if (field === 'id' && !value.includes('\0')) id = value;
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    await reader.cancel().catch(() => undefined);
  }
}
