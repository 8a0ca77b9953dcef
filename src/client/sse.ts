/** One message of a `text/event-stream`, as its fields came; `retry` alone is a reconnection hint. */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
}

/** One block's fields; comment lines (a heartbeat) give nothing. */
function parseBlock(block: string): SseMessage | undefined {
  const message: SseMessage = {};
  const data: string[] = [];
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'id') message.id = value;
    else if (field === 'event') message.event = value;
    else if (field === 'retry' && /^\d+$/.test(value)) message.retry = Number(value);
  }
  if (data.length > 0) message.data = data.join('\n');
  return Object.keys(message).length > 0 ? message : undefined;
}

/**
 * The messages of a `text/event-stream` body as they arrive (the WHATWG format: blocks separated
 * by a blank line). Uses only `ReadableStream` and `TextDecoder`, so it runs in browsers and Node.
 * `onBytes` is told of every read, heartbeat comments included: the connection is alive.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>, onBytes: () => void = () => {}): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      onBytes();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const blocks = buffered.split(/\r\n\r\n|\n\n|\r\r/);
      buffered = done ? '' : blocks.pop()!;
      for (const block of blocks) {
        const message = parseBlock(block);
        if (message !== undefined) yield message;
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}
