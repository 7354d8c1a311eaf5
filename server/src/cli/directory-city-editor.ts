import { createDatabase } from '../platform/db/database.js';
import { hashPassword } from '../auth/password.js';
import { directoryAudit, upsertCityEditor } from '../directory/directory-accounts.repository.js';
import { citiesNamed } from '../directory/directory.repository.js';

/**
 * Grants the city editor role of the support directory for one city (e.g. a city staff member:
 * keeps the city's own entries, imports its list, reviews organisations' changes to entries of
 * the city; sees no association's residents):
 * `DIRECTORY_PASSWORD=… npm run directory:city-editor -- <email> "<name>" <city: area code or name>`.
 * The city is a directory area of kind 'city'. There is no deployment-wide editor: a city editor
 * granted before cities were recorded is refused until this is run again naming their city.
 * Run again to set a new password or city. The password comes from the environment, not the
 * command line, so it stays out of the shell's history.
 */
const [login, name, city] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
const password = process.env.DIRECTORY_PASSWORD ?? '';
if (!url || !login || !name || !city || password.length < 8 || !/^[^@\s]+@[^@\s]+$/.test(login)) {
  console.error('Usage: DATABASE_URL=… DIRECTORY_PASSWORD=<at least 8 characters> npm run directory:city-editor -- <email> "<name>" <city: area code or name>');
  process.exit(1);
}
const db = createDatabase(url, { max: 1 });
try {
  const cities = await citiesNamed(db, city);
  if (cities.length !== 1) {
    console.error(cities.length ? `"${city}" names ${cities.length} cities (${cities.map((c) => c.code).join(', ')}): give its code.` : `No city area "${city}" in the directory: give a directory area of kind 'city' (its code or name).`);
    process.exitCode = 1;
  } else {
    const area = cities[0]!;
    const id = await upsertCityEditor(db, { name: name.slice(0, 200), login: login.toLowerCase(), passwordHash: await hashPassword(password), areaId: area.id });
    if (!id) {
      console.error(`${login} is an organisation's login: use another email address for the city editor.`);
      process.exitCode = 1;
    } else {
      await directoryAudit(db, { accountId: id, action: 'directory.city_editor.grant', subject: id, detail: { login: login.toLowerCase(), city: area.code } });
      console.log(`${login} is the support directory's editor of ${area.name} (${area.code}) and the areas under it: sign in at /directory/organisation.`);
    }
  }
} finally {
  await db.destroy();
}
