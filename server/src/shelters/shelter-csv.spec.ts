import { describe, expect, it } from 'vitest';
import { parseShelterCsv, servesAssociation } from './shelter-csv.js';

const csv = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('parseShelterCsv', () => {
  it('reads a municipal list however its header and flags were typed: ○ flags, 1,200 people, the address as 所在地_連結表記', () => {
    const parsed = parseShelterCsv(csv([
      'ＩＤ,名称,所在地_連結表記,緯度,経度,災害種別_地震,災害種別_津波,指定避難所との重複,想定収容人数,対象となる町会・自治会',
      '7,公園,京田辺市田辺1,34.81,135.76,○,,１,"1,200",田辺東自治会',
    ]));
    expect(parsed.errors).toEqual([]);
    expect(parsed.format).toBe('municipal');
    expect(parsed.rows).toEqual([{
      line: 2, sourceId: '7', name: '公園', kana: '', address: '京田辺市田辺1', latitude: 34.81, longitude: 135.76, capacity: 1200,
      hazards: ['earthquake'], alsoEvacuationCentre: true, serves: '田辺東自治会',
    }]);
    expect(parsed.saysWhomItServes).toBe(true);
  });

  it('keys a row without an id by its name and address, and says when the file says nothing about whom it serves', () => {
    const parsed = parseShelterCsv(csv(['名称,住所,緯度,経度', '広場,京田辺市,34.8,135.7']));
    expect(parsed.rows[0]).toMatchObject({ sourceId: '広場|京田辺市', alsoEvacuationCentre: null, hazards: [] });
    expect(parsed.saysWhomItServes).toBe(false);
  });

  it('refuses a file without a name or coordinates column, naming it', () => {
    expect(parseShelterCsv(csv(['共通ID,施設・場所名,住所,緯度', 'E1,広場,京田辺市,34.8'])).errors).toEqual([
      { line: 1, column: '経度', message: 'The header row has no 経度 column.' },
    ]);
  });
});

describe('servesAssociation', () => {
  it('finds the association among those named, whatever the width of its characters', () => {
    expect(servesAssociation('田辺東自治会、西自治会', '田辺東自治会')).toBe(true);
    expect(servesAssociation('ＡＢＣ自治会', 'ABC自治会')).toBe(true);
    expect(servesAssociation('西自治会', '田辺東自治会')).toBe(false);
    expect(servesAssociation('西自治会', '')).toBe(false);
    // Whole names only: 東自治会 is not served by a site for 田辺東自治会.
    expect(servesAssociation('田辺東自治会、西自治会', '東自治会')).toBe(false);
    expect(servesAssociation('田辺東自治会，東自治会 ', '東自治会')).toBe(true);
    expect(servesAssociation('テスト自治会 A、西自治会', 'テスト自治会 A')).toBe(true);
    expect(servesAssociation('北自治会／東自治会', '東自治会')).toBe(true);
  });
});
