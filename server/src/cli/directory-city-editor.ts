import { createDatabase } from '../platform/db/database.js';
import { hashPassword } from '../auth/password.js';
import { directoryAudit, upsertCityEditor } from '../directory/directory-accounts.repository.js';

/**
 * Grants the city editor role of the support directory (a deployment-wide editor, e.g. a city
 * staff member: edits and approves any organisation's entries, sees no association's
 * residents): `DIRECTORY_PASSWORD=… npm run directory:city-editor -- <email> "<name>"`.
 * Run again to set a new password. The password comes from the environment, not the command
 * line, so it stays out of the shell's history.
 */
const [login, name] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
const password = process.env.DIRECTORY_PASSWORD ?? '';
if (!url || !login || !name || password.length < 8 || !/^[^@\s]+@[^@\s]+$/.test(login)) {
  console.error('Usage: DATABASE_URL=… DIRECTORY_PASSWORD=<at least 8 characters> npm run directory:city-editor -- <email> "<name>"');
  process.exit(1);
}
const db = createDatabase(url, { max: 1 });
try {
  const id = await upsertCityEditor(db, { name: name.slice(0, 200), login: login.toLowerCase(), passwordHash: await hashPassword(password) });
  if (!id) {
    console.error(`${login} is an organisation's login: use another email address for the city editor.`);
    process.exitCode = 1;
  } else {
    await directoryAudit(db, { accountId: id, action: 'directory.city_editor.grant', subject: id, detail: { login: login.toLowerCase() } });
    console.log(`${login} is a city editor of the support directory: sign in at /directory/organisation.`);
  }
} finally {
  await db.destroy();
}
