import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { intensityIn, intensityLabel, parseTelegram, UNRECEIVED, unreceivedIn } from './telegram.js';

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/jma/${name}`, import.meta.url), 'utf8');
const parsed = (name: string) => {
  const result = parseTelegram(fixture(name));
  if (!result.ok) throw new Error(`${name}: ${result.reason} ${result.detail}`);
  return result.telegram;
};

describe('parseTelegram against real JMA telegrams (出典：気象庁)', () => {
  it('reads a real 震度速報 (VXSE51): control, head, the intensity per area', () => {
    const t = parsed('20210217140808_0_VXSE51_010000.xml');
    expect(t).toMatchObject({ title: '震度速報', status: '通常', editorialOffice: '気象庁本庁', eventId: '20210217230627', infoType: '発表', serial: '', maxInt: '3', hypocentre: null });
    expect(t.sentAt).toBe('2021-02-17T14:08:07Z');
    expect(t.areas.map((a) => [a.code, a.name, a.maxInt])).toEqual([['222', '宮城県中部', '3'], ['251', '福島県浜通り', '3']]);
  });

  it('reads a real 震源・震度に関する情報 (VXSE53): cities and the hypocentre too', () => {
    const t = parsed('20210217165040_0_VXSE53_270000.xml');
    expect(t).toMatchObject({ title: '震源・震度に関する情報', serial: '1', maxInt: '3', hypocentre: { name: '沖縄本島近海', code: '850' }, magnitude: '4.0' });
    expect(t.areas.map((a) => [a.code, a.maxInt])).toEqual([['779', '3'], ['778', '1']]);
    expect(t.areas[0]!.cities.map((c) => [c.name, c.code, c.maxInt])).toEqual([
      ['知名町', '4653400', '3'], ['伊仙町', '4653200', '2'], ['天城町', '4653100', '1'], ['和泊町', '4653300', '1'], ['与論町', '4653500', '1'],
    ]);
  });

  it('reads the derived ones: 訓練 status, 取消 without intensities, an upgrade as 6-', () => {
    expect(parsed('kyoto-training-6lower-VXSE51.xml')).toMatchObject({ status: '訓練', maxInt: '6-' });
    const cancel = parsed('shiga-cancel-VXSE51.xml');
    expect(cancel).toMatchObject({ infoType: '取消', eventId: '20261201120000', maxInt: null, areas: [] });
    const upgrade = parsed('osaka-upgrade-6lower-VXSE53.xml');
    expect(intensityIn(upgrade, ['520'])).toBe('6-');
    expect(intensityIn(upgrade, ['511'])).toBeNull();
  });

  it('reads 震度５弱以上未入電 (derived from the real VXSE53): the city has no MaxInt, JMA’s Condition instead', () => {
    const t = parsed('kyoto-unreceived-VXSE53.xml');
    expect(t.areas).toEqual([{
      code: '511', name: '京都府南部', maxInt: '3', condition: null,
      cities: [{ code: '2620700', name: '城陽市', maxInt: '3', condition: null }, { code: '2621100', name: '京田辺市', maxInt: null, condition: UNRECEIVED }],
    }]);
    expect(intensityIn(t, ['511'])).toBe('3');
    expect(unreceivedIn(t, ['511'])).toBe(true);
    expect(unreceivedIn(t, ['520'])).toBe(false);
    // The half-width spelling, and on the area itself, read the same; another Condition is not about the intensity.
    const real = fixture('kyoto-unreceived-VXSE53.xml');
    const half = parseTelegram(real.replace('<Code>511</Code><MaxInt>3</MaxInt>', '<Code>511</Code><Condition>震度5弱以上未入電</Condition>'));
    expect(half.ok && half.telegram.areas[0]).toMatchObject({ maxInt: null, condition: UNRECEIVED });
    const other = parseTelegram(real.replace('<Condition>震度５弱以上未入電</Condition>', '<Condition>その他</Condition>'));
    expect(other.ok && unreceivedIn(other.telegram, ['511'])).toBe(false);
  });

  it('picks the strongest of the areas asked about', () => {
    const t = parsed('20210217165040_0_VXSE53_270000.xml');
    expect(intensityIn(t, ['778', '779'])).toBe('3');
    expect(intensityIn(t, ['778'])).toBe('1');
    expect(intensityLabel('5-')).toBe('震度5弱');
    expect(intensityLabel('6+')).toBe('震度6強');
    expect(intensityLabel('4')).toBe('震度4');
  });
});

describe('parseTelegram rejects bad input with a reason, never a throw', () => {
  it('a truncated download is malformed_xml', () => {
    expect(parseTelegram(fixture('truncated-VXSE51.xml'))).toMatchObject({ ok: false, reason: 'malformed_xml' });
  });
  it('empty text, HTML and garbage are rejected', () => {
    expect(parseTelegram('')).toMatchObject({ ok: false });
    expect(parseTelegram('<html><body>503 Service Unavailable</body></html>')).toMatchObject({ ok: false, reason: 'not_seismic' });
    expect(parseTelegram('\u0000\u0001 not xml <<<')).toMatchObject({ ok: false });
  });
  it('another kind of telegram is not_seismic; a bad intensity or event id is invalid', () => {
    const real = fixture('20210217140808_0_VXSE51_010000.xml');
    expect(parseTelegram(real.replaceAll('震度速報</Title>', '津波警報・注意報・予報a</Title>'))).toMatchObject({ ok: false, reason: 'not_seismic' });
    expect(parseTelegram(real.replace('<MaxInt>3</MaxInt></Area>', '<MaxInt>9</MaxInt></Area>'))).toMatchObject({ ok: false, reason: 'invalid' });
    expect(parseTelegram(real.replace('<EventID>20210217230627</EventID>', '<EventID>x</EventID>'))).toMatchObject({ ok: false, reason: 'invalid', detail: expect.stringContaining('eventId') });
    expect(parseTelegram(real.replace('<Status>通常</Status>', '<Status>本番</Status>'))).toMatchObject({ ok: false, reason: 'invalid' });
  });
});
