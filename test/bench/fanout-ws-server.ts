import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

/**
 * The fan-out bench's anchor (test/bench/fanout.ts): a bare `ws` server, nothing else. A POST
 * to /broadcast sends its body, as one text frame, to every connected client, then answers
 * with how many it sent to — the same request → broadcast path as publishing a circular,
 * without sessions, rooms or a database. `node fanout-ws-server.js <port>`.
 */
const port = Number(process.argv[2]);
const http = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/broadcast') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const frame = Buffer.concat(chunks);
    let sent = 0;
    for (const client of wss.clients) {
      client.send(frame, { binary: false });
      sent++;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(String(sent));
  });
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
http.listen(port, '127.0.0.1', () => process.send?.({ type: 'listening' }));
