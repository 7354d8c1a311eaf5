import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';

/**
 * A JMA seismic telegram (気象庁防災情報XML: 震度速報 VXSE51, 震源・震度に関する情報 VXSE53)
 * read into what the trigger decides on. Pure: XML text in, a parsed telegram or a typed
 * rejection out; it never throws.
 */

/** JMA's intensity scale, weakest first (MaxInt values). */
export const intensities = ['1', '2', '3', '4', '5-', '5+', '6-', '6+', '7'] as const;
export const intensitySchema = z.enum(intensities);
export type Intensity = z.infer<typeof intensitySchema>;

/** Its rank on the scale: compare intensities with this, never as text. */
export const rank = (i: Intensity) => intensities.indexOf(i);

/** 震度5弱 and so on: how people read it. */
export function intensityLabel(i: Intensity): string {
  const [n, half] = [i[0], i[1]];
  return `震度${n}${half === '-' ? '弱' : half === '+' ? '強' : ''}`;
}

/**
 * JMA's Condition for an area or city whose intensity is 5弱 or more by the figures it has but
 * whose station readings have not come in (震源・震度に関する情報, VXSE53): no MaxInt, or a lower one.
 */
export const UNRECEIVED = '震度５弱以上未入電';
const conditionSchema = z.literal(UNRECEIVED).nullable().default(null);

const areaSchema = z.object({
  code: z.string().regex(/^\d{3}$/),
  name: z.string(),
  maxInt: intensitySchema.nullable(),
  condition: conditionSchema,
  cities: z.array(z.object({ code: z.string(), name: z.string(), maxInt: intensitySchema.nullable(), condition: conditionSchema })),
});

export const telegramSchema = z.object({
  title: z.string().min(1),
  /** Control/DateTime: when JMA sent it. */
  sentAt: z.iso.datetime({ offset: true }),
  status: z.enum(['通常', '訓練', '試験']),
  editorialOffice: z.string(),
  eventId: z.string().regex(/^\d{14}$/),
  infoType: z.enum(['発表', '訂正', '取消']),
  reportAt: z.iso.datetime({ offset: true }),
  serial: z.string(),
  maxInt: intensitySchema.nullable(),
  areas: z.array(areaSchema),
  hypocentre: z.object({ name: z.string(), code: z.string() }).nullable(),
  magnitude: z.string().nullable(),
});
export type Telegram = z.infer<typeof telegramSchema>;
export type TelegramArea = z.infer<typeof areaSchema>;

export type ParseResult = { ok: true; telegram: Telegram } | { ok: false; reason: 'malformed_xml' | 'not_seismic' | 'invalid'; detail: string };

const listed = new Set(['Report.Body.Intensity.Observation.Pref', 'Report.Body.Intensity.Observation.Pref.Area', 'Report.Body.Intensity.Observation.Pref.Area.City']);
const parser = new XMLParser({
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (_name, jpath) => listed.has(String(jpath)),
});

type Node = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && '#text' in v ? String((v as Node)['#text']) : v == null ? '' : String(v));
/** 震度５弱以上未入電, however its digits are written (NFKC folds the full-width ５). */
const isUnreceived = (v: unknown) => v !== undefined && text(v).normalize('NFKC') === UNRECEIVED.normalize('NFKC');
const maybeInt = (v: unknown) => (v === undefined || v === '' || isUnreceived(v) ? null : text(v));
/** An element's Condition (or a MaxInt that carries it): UNRECEIVED, or null (another Condition is not about the intensity). */
const conditionOf = (node: Node) => (isUnreceived(node.Condition) || isUnreceived(node.MaxInt) ? UNRECEIVED : null);

/** Parses one telegram. Malformed or truncated XML, another kind of telegram, a missing field: a rejection naming why. */
export function parseTelegram(xml: string): ParseResult {
  // JMA's telegrams have no DOCTYPE: one is refused unread (no entity declarations reach the parser).
  if (/<!DOCTYPE/i.test(xml)) return { ok: false, reason: 'invalid', detail: 'a DOCTYPE is not accepted' };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { ok: false, reason: 'malformed_xml', detail: `${valid.err.code} at line ${valid.err.line}: ${valid.err.msg}` };
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (error) {
    return { ok: false, reason: 'malformed_xml', detail: String(error) };
  }
  const report = doc.Report as Node | undefined;
  const control = report?.Control as Node | undefined;
  const head = report?.Head as Node | undefined;
  if (!control || !head) return { ok: false, reason: 'not_seismic', detail: 'no Report/Control or Report/Head' };
  const title = text(control.Title);
  if (title !== '震度速報' && title !== '震源・震度に関する情報') return { ok: false, reason: 'not_seismic', detail: `title ${title}` };
  const body = (report!.Body ?? {}) as Node;
  const observation = ((body.Intensity as Node | undefined)?.Observation ?? {}) as Node;
  const hypo = ((body.Earthquake as Node | undefined)?.Hypocenter as Node | undefined)?.Area as Node | undefined;
  const candidate = {
    title,
    sentAt: text(control.DateTime),
    status: text(control.Status),
    editorialOffice: text(control.EditorialOffice),
    eventId: text(head.EventID),
    infoType: text(head.InfoType),
    reportAt: text(head.ReportDateTime),
    serial: text(head.Serial),
    maxInt: maybeInt(observation.MaxInt),
    areas: ((observation.Pref ?? []) as Node[]).flatMap((pref) =>
      ((pref.Area ?? []) as Node[]).map((area) => ({
        code: text(area.Code),
        name: text(area.Name),
        maxInt: maybeInt(area.MaxInt),
        condition: conditionOf(area),
        cities: ((area.City ?? []) as Node[]).map((city) => ({ code: text(city.Code), name: text(city.Name), maxInt: maybeInt(city.MaxInt), condition: conditionOf(city) })),
      })),
    ),
    hypocentre: hypo ? { name: text(hypo.Name), code: text(hypo.Code) } : null,
    magnitude: (body.Earthquake as Node | undefined)?.Magnitude !== undefined ? text((body.Earthquake as Node).Magnitude) : null,
  };
  const parsed = telegramSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: 'invalid', detail: `${issue.path.join('.')}: ${issue.message}` };
  }
  return { ok: true, telegram: parsed.data };
}

/** The intensity a telegram reports for any of these areas (the strongest), or null when it names none of them. */
export function intensityIn(telegram: Telegram, areaCodes: readonly string[]): Intensity | null {
  let best: Intensity | null = null;
  for (const area of telegram.areas) {
    if (!areaCodes.includes(area.code) || !area.maxInt) continue;
    if (!best || rank(area.maxInt) > rank(best)) best = area.maxInt;
  }
  return best;
}

/**
 * Whether JMA says 震度５弱以上未入電 for any of these areas or a city in them: the intensity
 * there may be 5弱 or more and has not come in yet.
 */
export function unreceivedIn(telegram: Telegram, areaCodes: readonly string[]): boolean {
  return telegram.areas.some((area) => areaCodes.includes(area.code) && (area.condition === UNRECEIVED || area.cities.some((c) => c.condition === UNRECEIVED)));
}
