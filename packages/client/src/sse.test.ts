import { describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from './sse.js';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function eventsOf(chunks: string[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSse(streamOf(chunks))) events.push(event);
  return events;
}

describe('readSse', () => {
  it('reads named events with ids, and joins multi-line data with newlines', async () => {
    expect(await eventsOf(['event: payment\nid: 7\ndata: {"a":1}\n\n', 'data: one\ndata: two\n\n'])).toEqual([
      { event: 'payment', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'one\ntwo', id: '7' },
    ]);
  });

  it('reassembles lines and UTF-8 characters split across chunks, with CRLF, CR or LF line ends', async () => {
    const bytes = new TextEncoder().encode('data: café\r\ndata: b\r\n\r\ndata:x\r\rdata: y\n\n');
    // Cut inside "é", and between the CR and the LF of a CRLF (which must not read as a blank line).
    const cuts = [0, 10, 12, 13, 30, bytes.length];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 1; i < cuts.length; i++) controller.enqueue(bytes.slice(cuts[i - 1], cuts[i]));
        controller.close();
      },
    });
    const events: string[] = [];
    for await (const event of readSse(body)) events.push(event.data);
    expect(events).toEqual(['café\nb', 'x', 'y']);
  });

  it('skips comments and drops an event the stream ends in the middle of', async () => {
    expect(await eventsOf([': keep-alive\n\ndata: whole\n\n', 'data: cut off'])).toEqual([
      { event: 'message', data: 'whole', id: '' },
    ]);
  });

  it('ends quietly when the signal aborts while waiting for the next event', async () => {
    const controller = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('data: first\n\n'));
      },
    });
    const seen: string[] = [];
    for await (const event of readSse(body, controller.signal)) {
      seen.push(event.data);
      setTimeout(() => controller.abort(), 10);
    }
    expect(seen).toEqual(['first']);
  });
});
