import { describe, expect, it } from 'vitest';
import { renderMosquittoAuthFiles } from './mosquitto-files.js';
import { hashDeviceSecret, verifyDeviceSecret } from './device-credentials.js';

describe('Mosquitto password and ACL files', () => {
  it('gives each device write on its own up/ and read on its own down/, and nothing else', () => {
    const hash = hashDeviceSecret('s3cret');
    const { passwd, acl } = renderMosquittoAuthFiles([{ id: 'dev-1', association_id: 'assoc-1', secret_hash: hash }], 'tonari-server');
    expect(passwd).toBe(`dev-1:${hash}\n`);
    expect(acl).toContain('user dev-1\ntopic write tonari/assoc-1/dev-1/up/#\ntopic read tonari/assoc-1/dev-1/down/#\n');
    expect(acl).not.toMatch(/user dev-1\n[^]*topic (write|read) tonari\/\+/);
    expect(acl).toContain('user tonari-server\ntopic read $share/+/tonari/+/+/up/#');
  });

  it("stores secrets in Mosquitto's PBKDF2-SHA512 format and verifies only the right one", async () => {
    const hash = hashDeviceSecret('s3cret');
    expect(hash).toMatch(/^\$7\$1000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyDeviceSecret(hash, 's3cret')).toBe(true);
    expect(await verifyDeviceSecret(hash, 's3creT')).toBe(false);
    expect(await verifyDeviceSecret('garbage', 's3cret')).toBe(false);
    // Remembered once verified, but only for this stored hash: a rotated secret is checked anew.
    expect(await verifyDeviceSecret(hash, 's3cret')).toBe(true);
    expect(await verifyDeviceSecret(hashDeviceSecret('other'), 's3cret')).toBe(false);
  });
});
