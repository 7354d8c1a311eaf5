import { createHash } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';

/**
 * Named prepared statements for a few hot statements (device ingest's per-batch ones). A
 * statement whose SQL ends with this marker (`${PREPARED}` at the end of a `sql` template, or
 * `.modifyEnd(PREPARED)` on a builder) is sent as a named statement: PostgreSQL parses it once
 * per connection and, after a few executions, keeps a generic plan, instead of parsing and
 * planning it afresh every time. Only for statements whose text does not vary with their
 * values (lists go as one array parameter: `isAnyOf`, `unnest`), so that a generic plan suits
 * every call; the text is the code's, never data, and its hash names it.
 */
export const PREPARED = sql.raw('/* prepared */');
const MARKER = '/* prepared */';

const names = new Map<string, string>();
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `t_${createHash('sha1').update(text).digest('hex')}`;
    names.set(text, name);
  }
  return name;
}

/** pg's Client, sending the statements marked PREPARED as named ones (the pool's `Client`). */
export class PreparingClient extends pg.Client {
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && config.endsWith(MARKER) && Array.isArray(values)) return super.query({ name: nameOf(config), text: config, values }, callback);
    return super.query(config, values, callback);
  }
}
