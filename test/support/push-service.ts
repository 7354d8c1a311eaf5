import { execFileSync } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer, globalAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A throw-away certificate for 127.0.0.1: web-push speaks only HTTPS, as push services do. */
function selfSignedCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tonari-push-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A stand-in for a browser vendor's push service on loopback: it receives what web-push
 * really sends (encrypted payload, VAPID authorization) and answers with the status a test
 * chooses per endpoint — 201 delivered, 410 gone, 500 failing.
 */
export async function startPushService() {
  const received: { path: string; headers: IncomingMessage['headers']; bytes: number }[] = [];
  const statusFor = new Map<string, number>();
  const tls = selfSignedCertificate();
  // Trust it in this test process only (web-push uses the global agent), with verification on.
  globalAgent.options.ca = [tls.cert];
  const server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, bytes: Buffer.concat(chunks).length });
      res.statusCode = statusFor.get(req.url ?? '') ?? 201;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received,
    /** A browser-like subscription: a real P-256 key and auth secret, so web-push can encrypt to it. */
    subscription(name: string, status = 201) {
      statusFor.set(`/push/${name}`, status);
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      return { endpoint: `${base}/push/${name}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
