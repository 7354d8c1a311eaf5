import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The quake tests' local JMA (test/quakes.test.ts, test/quake-cities.test.ts): telegrams of
 * test/fixtures/jma (出典：気象庁) served in the feed's Atom format, so the reader's real HTTP path runs.
 */

/** A local JMA: the Atom feed of what has been "published" so far, and each telegram. */
export class FeedServer {
  entries: { file: string; id: string; updated: string; as?: string; href?: string; edit?: (xml: string) => string }[] = [];
  /** Paths answered once with 503, or once cut in half (a broken download), before they are served whole. */
  failNext = new Set<string>();
  truncateNext = new Set<string>();
  lastModified = new Date(0);
  mode: 'up' | 'down' | 'slow' | 'html' = 'up';
  requests: { path: string; ifModifiedSince: string | null }[] = [];
  server: Server;
  base = '';

  constructor() {
    this.server = createServer((req, res) => {
      this.requests.push({ path: req.url ?? '', ifModifiedSince: req.headers['if-modified-since'] ?? null });
      if (req.url === '/feed.xml') {
        if (this.mode === 'down') return void res.writeHead(503).end('Service Unavailable');
        if (this.mode === 'slow') return void setTimeout(() => res.writeHead(200).end(this.atom()), 2000);
        if (this.mode === 'html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>maintenance</body></html>');
        const since = req.headers['if-modified-since'];
        if (since && Date.parse(since) >= Math.floor(this.lastModified.getTime() / 1000) * 1000) return void res.writeHead(304).end();
        return void res.writeHead(200, { 'content-type': 'application/atom+xml', 'last-modified': this.lastModified.toUTCString() }).end(this.atom());
      }
      const file = req.url?.replace('/data/', '') ?? '';
      const entry = this.entries.find((e) => (e.as ?? e.file) === file);
      if (!entry) return void res.writeHead(404).end();
      if (this.failNext.delete(req.url ?? '')) return void res.writeHead(503).end();
      // Sent now: Control/DateTime is the moment of publishing (the trigger ignores telegrams sent long ago).
      let xml: string;
      try {
        xml = readFileSync(new URL(`../fixtures/jma/${entry.file}`, import.meta.url), 'utf8');
      } catch {
        return void res.writeHead(404).end();
      }
      xml = xml.replace(/<DateTime>[^<]*<\/DateTime>/, `<DateTime>${entry.updated}</DateTime>`);
      if (entry.edit) xml = entry.edit(xml);
      if (this.truncateNext.delete(req.url ?? '')) xml = xml.slice(0, xml.length / 2);
      res.writeHead(200, { 'content-type': 'application/xml' }).end(xml);
    });
  }

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** JMA publishes a telegram: a new entry, newest first as in JMA's feed. */
  publish(file: string, id = `${this.base}/data/${file}`, more: { as?: string; href?: string; edit?: (xml: string) => string } = {}) {
    const now = new Date();
    this.entries.unshift({ file, id, updated: now.toISOString().replace(/\.\d+Z$/, 'Z'), ...more });
    this.lastModified = new Date(Math.max(now.getTime(), this.lastModified.getTime() + 1000));
  }

  atom() {
    const entries = this.entries
      .map((e) => `<entry><title>${e.file.includes('VXSE53') ? '震源・震度に関する情報' : '震度速報'}</title><id>${e.id}</id><updated>${e.updated}</updated><author><name>気象庁</name></author><link type="application/xml" href="${e.href ?? `${this.base}/data/${e.as ?? e.file}`}"/><content type="text">【震度速報】</content></entry>`)
      .join('\n');
    return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" lang="ja"><title>高頻度（地震火山）</title><subtitle>JMAXML publishing feed</subtitle><updated>${this.lastModified.toISOString()}</updated><id>urn:test:eqvol</id><link href="${this.base}/feed.xml" rel="self"/><rights>出典：気象庁</rights>\n${entries}\n</feed>`;
  }
}

/** A telegram's XML with its event, report time, info type or every MaxInt changed (a case derived from a real one). */
export const derive = (o: { eventId?: string; at?: string; reportAt?: string; infoType?: string }) => (xml: string) => {
  if (o.eventId) xml = xml.replace(/<EventID>[^<]*<\/EventID>/, `<EventID>${o.eventId}</EventID>`);
  if (o.reportAt) xml = xml.replace(/<ReportDateTime>[^<]*<\/ReportDateTime>/, `<ReportDateTime>${o.reportAt}</ReportDateTime>`);
  if (o.infoType) xml = xml.replace(/<InfoType>[^<]*<\/InfoType>/, `<InfoType>${o.infoType}</InfoType>`);
  if (o.at) xml = xml.replace(/<MaxInt>[^<]*<\/MaxInt>/g, `<MaxInt>${o.at}</MaxInt>`);
  return xml;
};
