import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import type { ServiceContext } from '../common/service-context.js';
import { feedState, knownEntries, saveFeedState } from './quake.repository.js';
import { handleTelegram } from './trigger.service.js';

/**
 * The JMA feed reader (the `quake-poll` job, every minute): reads the Atom feed with
 * If-Modified-Since, as JMA asks, and hands each new 震度速報 (VXSE51) and 震源・震度に関する情報
 * (VXSE53) to handleTelegram, oldest first. A feed that is down or slow, a telegram that does
 * not download, an entry seen before: logged and counted, never thrown. The feed's
 * Last-Modified is kept only when every new entry was handled, so a failed one is tried again
 * on the next poll (handleTelegram's unique entry makes a repeat harmless).
 */

export interface FeedOptions {
  url: string;
  /** Each request's limit (the feed, then each telegram). Default 10 s. */
  timeoutMs?: number;
}

export type FeedOutcome = 'not_modified' | 'feed_failed' | 'fetch_failed' | 'failed' | 'stored' | 'duplicate' | 'rejected' | 'seen';

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
  return feed.data.feed.entry
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
  const state = await feedState(ctx.db, feed.url);
  const seen: Record<string, number> = {};
  const tally = (outcome: FeedOutcome) => {
    seen[outcome] = (seen[outcome] ?? 0) + 1;
    count(outcome);
  };
  let text: string;
  let lastModified: string | null;
  try {
    const response = await fetch(feed.url, { headers: state?.last_modified ? { 'If-Modified-Since': state.last_modified } : {}, signal: AbortSignal.timeout(timeout) });
    if (response.status === 304) {
      tally('not_modified');
      return seen;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
    lastModified = response.headers.get('last-modified');
  } catch (error) {
    ctx.log.warn({ url: feed.url, err: String(error) }, 'JMA feed could not be read');
    tally('feed_failed');
    return seen;
  }
  const entries = feedEntries(text);
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
    let xml: string;
    try {
      const response = await fetch(entry.url, { signal: AbortSignal.timeout(timeout) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      xml = await response.text();
    } catch (error) {
      ctx.log.warn({ url: entry.url, err: String(error) }, 'JMA telegram could not be fetched; tried again on the next poll');
      tally('fetch_failed');
      complete = false;
      continue;
    }
    try {
      tally(await handleTelegram(ctx, entry, xml));
    } catch (error) {
      ctx.log.error({ url: entry.url, err: error }, 'JMA telegram could not be handled; tried again on the next poll');
      tally('failed');
      complete = false;
    }
  }
  await saveFeedState(ctx.db, feed.url, complete ? lastModified : (state?.last_modified ?? null));
  return seen;
}
