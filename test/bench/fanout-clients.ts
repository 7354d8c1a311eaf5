import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

/**
 * One process of the fan-out bench's clients (test/bench/fanout.ts), told what to do over IPC:
 * `connect` opens its share of the sockets (Socket.IO to tonari with a session cookie each, or
 * plain WebSockets to the bare anchor), `arm` makes it watch for the next event carrying a
 * marker, and it answers with the time (ms since the epoch, sub-millisecond) each socket
 * received it. Receiving does as little as it can: the clients must not be what is measured.
 */

export type ToClients =
  | { type: 'connect'; mode: 'socketio'; url: string; cookies: string[]; concurrency: number }
  | { type: 'connect'; mode: 'ws'; url: string; count: number; concurrency: number }
  | { type: 'arm'; marker: string; timeoutMs: number };

export type FromClients =
  | { type: 'connected'; count: number; failed: number; firstError?: string }
  | { type: 'armed' }
  | { type: 'received'; times: number[]; missing: number };

const now = () => performance.timeOrigin + performance.now();
const send = (message: FromClients) => process.send!(message);

let times: number[] = [];
let pending = 0;
let marker: string | null = null;
let deadline: NodeJS.Timeout | undefined;
const closers: (() => void)[] = [];

function done() {
  clearTimeout(deadline);
  const received = times.filter((t) => t > 0);
  marker = null;
  send({ type: 'received', times: received, missing: times.length - received.length });
}

function receivedBy(index: number) {
  if (times[index] !== 0) return;
  times[index] = now();
  if (--pending === 0) done();
}

async function connectAll(count: number, concurrency: number, open: (index: number) => Promise<void>) {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await open(index).catch((error: Error) => {
        failed++;
        firstError ??= error.message;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { failed, firstError };
}

function connectSocketIo(url: string, cookie: string, index: number) {
  return new Promise<void>((resolve, reject) => {
    const socket: Socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie }, timeout: 60_000 });
    socket.on('circular:published', (event: { title: string }) => {
      if (marker !== null && event.title === marker) receivedBy(index);
    });
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
    closers.push(() => socket.close());
  });
}

function connectWs(url: string, index: number) {
  return new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('message', (data: Buffer) => {
      if (marker !== null && data.includes(marker)) receivedBy(index);
    });
    socket.once('open', () => resolve());
    socket.once('error', (error) => reject(error));
    closers.push(() => socket.terminate());
  });
}

process.on('message', async (message: ToClients) => {
  if (message.type === 'connect') {
    const count = message.mode === 'socketio' ? message.cookies.length : message.count;
    times = new Array<number>(count).fill(0);
    const result = await connectAll(count, message.concurrency, (i) =>
      message.mode === 'socketio' ? connectSocketIo(message.url, message.cookies[i]!, i) : connectWs(message.url, i),
    );
    send({ type: 'connected', count, ...result });
  } else if (message.type === 'arm') {
    times.fill(0);
    pending = times.length;
    marker = message.marker;
    deadline = setTimeout(done, message.timeoutMs);
    send({ type: 'armed' });
  }
});
process.on('disconnect', () => {
  for (const close of closers) close();
  process.exit(0);
});
