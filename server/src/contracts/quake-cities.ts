/**
 * JMA's code list 地震情報／市町村等 (the cities a 震源・震度に関する情報 VXSE53 names under
 * each area), grouped under their 地震情報／細分区域: officers pick their association's cities
 * from it. 出典：気象庁「気象庁防災情報XMLフォーマット」コード表 地震情報／市町村等 (Government of
 * Japan Standard Terms of Use 2.0, compatible with CC BY 4.0). JMA's 7-digit code is the
 * municipality's 全国地方公共団体コード (5 digits, without its check digit) followed by 00, a
 * 政令指定都市 listed by its wards, which JMA names without 市 (京都伏見区, as its 震度観測点 are
 * named: 京都伏見区向島). The grouping under 京都府北部/南部 follows JMA's 細分区域 (南丹市 and
 * 京丹波町 are in 南部). The fixtures' 京田辺市 2621100 and 城陽市 2620700 are derived, not captured.
 *
 * This slice ships the cities of 京都府 (京都府北部 510, 京都府南部 511), the demo association's
 * prefecture; an area not listed here has no city to pick (its telegrams decide on the area, as
 * before). Add a prefecture by adding its areas' entries: the contract and the settings page read
 * this list only.
 */
export const quakeCities: readonly { areaCode: string; cities: readonly { code: string; name: string }[] }[] = [
  {
    areaCode: '510', // 京都府北部
    cities: [
      { code: '2620100', name: '福知山市' },
      { code: '2620200', name: '舞鶴市' },
      { code: '2620300', name: '綾部市' },
      { code: '2620500', name: '宮津市' },
      { code: '2621200', name: '京丹後市' },
      { code: '2646300', name: '伊根町' },
      { code: '2646500', name: '与謝野町' },
    ],
  },
  {
    areaCode: '511', // 京都府南部
    cities: [
      { code: '2610100', name: '京都北区' },
      { code: '2610200', name: '京都上京区' },
      { code: '2610300', name: '京都左京区' },
      { code: '2610400', name: '京都中京区' },
      { code: '2610500', name: '京都東山区' },
      { code: '2610600', name: '京都下京区' },
      { code: '2610700', name: '京都南区' },
      { code: '2610800', name: '京都右京区' },
      { code: '2610900', name: '京都伏見区' },
      { code: '2611000', name: '京都山科区' },
      { code: '2611100', name: '京都西京区' },
      { code: '2620400', name: '宇治市' },
      { code: '2620600', name: '亀岡市' },
      { code: '2620700', name: '城陽市' },
      { code: '2620800', name: '向日市' },
      { code: '2620900', name: '長岡京市' },
      { code: '2621000', name: '八幡市' },
      { code: '2621100', name: '京田辺市' },
      { code: '2621300', name: '南丹市' },
      { code: '2621400', name: '木津川市' },
      { code: '2630300', name: '大山崎町' },
      { code: '2632200', name: '久御山町' },
      { code: '2634300', name: '井手町' },
      { code: '2634400', name: '宇治田原町' },
      { code: '2636400', name: '笠置町' },
      { code: '2636500', name: '和束町' },
      { code: '2636600', name: '精華町' },
      { code: '2636700', name: '南山城村' },
      { code: '2640700', name: '京丹波町' },
    ],
  },
];

const byCode = new Map(quakeCities.flatMap((a) => a.cities.map((c) => [c.code, { ...c, areaCode: a.areaCode }] as const)));

/** A city of the list with its area's code, or undefined when the code is not in the list. */
export function quakeCity(code: string): { code: string; name: string; areaCode: string } | undefined {
  return byCode.get(code);
}
