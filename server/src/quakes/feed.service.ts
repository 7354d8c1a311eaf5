import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import type { ServiceContext } from '../common/service-context.js';
import { FETCH_ATTEMPTS, feedState, knownEntries, recordFetchFailure, saveFeedState } from './quake.repository.js';
import { handleTelegram } from './trigger.service.js';

/**
 * The JMA feed reader (the `quake-poll` job, every minute): reads the Atom feed with
 * If-Modified-Since, as JMA asks, and hands each new 震度速報 (VXSE51) and 震源・震度に関する情報
 * (VXSE53) to handleTelegram, oldest first. A feed that is down or slow, a telegram that does
 * not download, an entry seen before: logged and counted, never thrown. Entries are handled in
 * the feed's order: the poll stops at the first one that does not download (up to FETCH_ATTEMPTS
 * polls), does not parse as XML (a truncated body, fetched again up to MALFORMED_ATTEMPTS) or fails, so a later 取消
 * or 訂正 is never decided before the telegram it amends. The feed's Last-Modified is kept only
 * when every new entry was handled, so the rest is tried again on the next poll
 * (handleTelegram's unique entry makes a repeat harmless).
 */

export interface FeedOptions {
  url: string;
  /** Each request's limit (the feed, then each telegram). Default 10 s. */
  timeoutMs?: number;
  /** The whole poll's limit, shorter than the quake-poll job's expiry (50 s). Default 40 s. */
  deadlineMs?: number;
  /** Hosts telegrams may be fetched from besides the feed's own origin. Default JMA's. */
  allowedHosts?: readonly string[];
}

/** Bodies larger than these are refused (JMA's feed is some hundred KB, a telegram some ten). */
export const FEED_MAX_BYTES = 2 * 1024 * 1024;
export const TELEGRAM_MAX_BYTES = 512 * 1024;
const JMA_HOSTS = ['www.data.jma.go.jp', 'data.jma.go.jp'];

class TooLarge extends Error {}

/** A response's text, refused past `limit` bytes: by its Content-Length, then while it streams. */
async function limitedText(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new TooLarge(`Content-Length ${declared} over ${limit}`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new TooLarge(`body over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A telegram link the reader follows: http(s), on the feed's own origin or an allowed host. */
function allowedLink(link: string, feed: FeedOptions): boolean {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  return url.origin === new URL(feed.url).origin || (feed.allowedHosts ?? JMA_HOSTS).includes(url.hostname);
}

/** `refused`: a telegram link off the allowed origins, or a body over its size limit (not stored, not retried in this poll). */
export type FeedOutcome = 'not_modified' | 'feed_failed' | 'fetch_failed' | 'failed' | 'stored' | 'duplicate' | 'rejected' | 'malformed' | 'refused' | 'seen';

const entrySchema = z.object({
  id: z.string().min(1),
  title: z.string().default(''),
  updated: z.string().default(''),
  link: z.object({ '@_href': z.url() }),
});
const feedSchema = z.object({ feed: z.object({ entry: z.array(z.unknown()).default([]) }) });

const atom = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (_name, jpath) => jpath === 'feed.entry' || jpath === 'feed.entry.link' });

/** The telegrams the trigger reads: by their title in the feed, or their data type in the file name (…_VXSE51_….xml). */
const titles = new Set(['震度速報', '震源・震度に関する情報']);
const wanted = (entry: { title: string; url: string }) => titles.has(entry.title) || /VXSE5[13]/.test(entry.url.slice(entry.url.lastIndexOf('/')));

/** The feed's entries for VXSE51 and VXSE53, oldest first; null when the text is not an Atom feed. */
export function feedEntries(xml: string): { id: string; title: string; url: string; updated: string }[] | null {
  let doc: unknown;
  try {
    doc = atom.parse(xml);
  } catch {
    return null;
  }
  const feed = feedSchema.safeParse(doc);
  if (!feed.success) return null;
  // JMA lists the newest first: reversed before the (stable) sort, entries of the same second keep their order.
  return [...feed.data.feed.entry]
    .reverse()
    .flatMap((raw) => {
      const r = raw as Record<string, unknown>;
      const link = Array.isArray(r.link) ? r.link[0] : r.link;
      const entry = entrySchema.safeParse({ ...r, link });
      return entry.success ? [{ id: entry.data.id, title: entry.data.title, url: entry.data.link['@_href'], updated: entry.data.updated }] : [];
    })
    .filter(wanted)
    .sort((a, b) => (a.updated < b.updated ? -1 : a.updated > b.updated ? 1 : 0));
}

export async function pollFeed(ctx: ServiceContext, feed: FeedOptions, count: (outcome: FeedOutcome) => void = () => undefined) {
  const timeout = feed.timeoutMs ?? 10_000;
  const deadline = AbortSignal.timeout(feed.deadlineMs ?? 40_000);
  const signal = () => AbortSignal.any([deadline, AbortSignal.timeout(timeout)]);
  const state = await feedState(ctx.db, feed.url);
  const seen: Record<string, number> = {};
  const tally = (outcome: FeedOutcome) => {
    seen[outcome] = (seen[outcome] ?? 0) + 1;
    count(outcome);
  };
  let text: string;
  let lastModified: string | null;
  try {
    const response = await fetch(feed.url, { headers: state?.last_modified ? { 'If-Modified-Since': state.last_modified } : {}, signal: signal() });
    if (response.status === 304) {
      tally('not_modified');
      return seen;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await limitedText(response, FEED_MAX_BYTES);
    lastModified = response.headers.get('last-modified');
  } catch (error) {
    ctx.log.warn({ url: feed.url, err: String(error) }, 'JMA feed could not be read');
    tally('feed_failed');
    return seen;
  }
  const entries = /<!DOCTYPE/i.test(text) ? null : feedEntries(text);
  if (!entries) {
    ctx.log.warn({ url: feed.url }, 'JMA feed is not an Atom feed');
    tally('feed_failed');
    return seen;
  }
  const known = await knownEntries(ctx.db, entries.map((e) => e.id));
  let complete = true;
  for (const entry of entries) {
    if (known.has(entry.id)) {
      tally('seen');
      continue;
    }
    if (!allowedLink(entry.url, feed)) {
      ctx.log.warn({ url: entry.url, feed: feed.url }, 'JMA feed entry links off the allowed origins: not fetched');
      tally('refused');
      continue;
    }
    let xml: string;
    try {
      const response = await fetch(entry.url, { signal: signal() });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (response.url && !allowedLink(response.url, feed)) throw new Error(`redirected off the allowed origins to ${response.url}`);
      xml = await limitedText(response, TELEGRAM_MAX_BYTES);
    } catch (error) {
      if (error instanceof TooLarge) {
        ctx.log.warn({ url: entry.url, err: error.message }, 'JMA telegram too large: not stored');
        tally('refused');
        continue;
      }
      tally('fetch_failed');
      const attempts = await recordFetchFailure(ctx.db, entry, String(error)).catch(() => undefined);
      if (attempts !== undefined && attempts >= FETCH_ATTEMPTS) {
        ctx.log.error({ url: entry.url, err: String(error), attempts }, 'JMA telegram could not be fetched; given up, kept as rejected');
        continue;
      }
      ctx.log.warn({ url: entry.url, err: String(error), attempts }, 'JMA telegram could not be fetched; the poll stops here and tries again next time');
      complete = false;
      break;
    }
    try {
      const outcome = await handleTelegram(ctx, entry, xml);
      tally(outcome);
      if (outcome === 'malformed') {
        complete = false;
        break;
      }
    } catch (error) {
      ctx.log.error({ url: entry.url, err: error }, 'JMA telegram could not be handled; tried again on the next poll');
      tally('failed');
      complete = false;
      break;
    }
  }
  await saveFeedState(ctx.db, feed.url, complete ? lastModified : (state?.last_modified ?? null));
  return seen;
}
