import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDatabase } from '../platform/db/database.js';
import { liveDeviceSecrets } from '../devices/device.repository.js';
import { renderMosquittoAuthFiles } from '../devices/mosquitto-files.js';

/**
 * Writes `passwd.devices` and `acl` for Mosquitto's password_file/acl_file from the
 * database: `npm run mosquitto:config -- <directory> [server-username]`. Then append the
 * server's own line to the password file with mosquitto_passwd and send Mosquitto SIGHUP.
 */
const [directory = '.', serverUsername = 'tonari-server'] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('Set DATABASE_URL to the PostgreSQL database tonari uses.');
  process.exit(1);
}
const db = createDatabase(url, { max: 1 });
try {
  const devices = await liveDeviceSecrets(db);
  const { passwd, acl } = renderMosquittoAuthFiles(devices, serverUsername);
  await writeFile(path.join(directory, 'passwd.devices'), passwd, { mode: 0o600 });
  await writeFile(path.join(directory, 'acl'), acl, { mode: 0o644 });
  console.log(`Wrote ${devices.length} devices to ${path.join(directory, 'passwd.devices')} and ${path.join(directory, 'acl')}.`);
} finally {
  await db.destroy();
}
