import { describe, expect, it } from 'vitest';
import { SPOKEN_LIMIT, spokenText, withoutAttachmentReferences } from './spoken-text.js';

describe('the spoken circular', () => {
  it('leaves out the sentences that send the listener to an attachment', () => {
    expect(withoutAttachmentReferences('12月7日に点検します。詳しくは添付のPDFをご覧ください。雨天中止です。')).toBe('12月7日に点検します。雨天中止です。');
    expect(withoutAttachmentReferences('地図は別紙のとおり\n集合は公民館')).toBe('集合は公民館');
  });

  it('tells a paper home that the 班長 brings it, with how many documents', () => {
    const text = spokenText({ kind: 'circular', title: '防災訓練', plainText: '日程は添付の地図をご覧ください。', attachments: 2, onPaper: true });
    expect(text).toBe('回覧板のお知らせです。防災訓練。紙の回覧は班長さんがお届けします。資料が2点ついています。');
    expect(spokenText({ kind: 'reminder', title: 'ごみ', plainText: '', attachments: 0, onPaper: true })).toContain('まだ確認されていない回覧があります。ごみ。紙の回覧は班長さんがお届けします。');
  });

  it('tells a home with the app where the documents are, and says nothing of paper', () => {
    const text = spokenText({ kind: 'circular', title: '防災訓練', plainText: '参加してください。', attachments: 1, onPaper: false });
    expect(text).toBe('回覧板のお知らせです。防災訓練。参加してください。資料1点は、アプリでご覧になれます。');
    expect(spokenText({ kind: 'circular', title: 'お知らせ', plainText: '本文。', attachments: 0, onPaper: false })).toBe('回覧板のお知らせです。お知らせ。本文。');
  });

  it('keeps the closing sentence when a long body is cut', () => {
    const text = spokenText({ kind: 'circular', title: '長い回覧', plainText: 'あ'.repeat(5000), attachments: 3, onPaper: true });
    expect(text.length).toBe(SPOKEN_LIMIT);
    expect(text.endsWith('資料が3点ついています。')).toBe(true);
  });
});
