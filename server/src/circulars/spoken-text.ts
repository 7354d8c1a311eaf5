/**
 * What a speaker reads aloud for a circular. A speaker shows nothing, so the speech never
 * sends the listener to an attachment ("添付のPDFをご覧ください"): such sentences of the body
 * are left out, and the speech ends with where the whole circular is: on paper from the
 * 班長 (the homes on the 班長's print list), or in the app (homes with a member there).
 */

/** A sentence pointing at something to look at beside the text. */
const POINTS_AT_ATTACHMENT = /添付|別紙|別添|下記の(?:PDF|画像|地図|資料)|PDF|attached|attachment/i;

/** The most a speaker takes in one message (the device protocol's limit). */
export const SPOKEN_LIMIT = 2000;

export interface SpokenCircular {
  kind: 'circular' | 'reminder';
  title: string;
  plainText: string;
  attachments: number;
  /** The household is on its 班長's list for a printed copy. */
  onPaper: boolean;
}

/** The body without the sentences that point at an attachment. */
export function withoutAttachmentReferences(plainText: string): string {
  const sentences = plainText.split(/(?<=[。！？!?])|\n+/).map((s) => s.trim()).filter(Boolean);
  return sentences.filter((s) => !POINTS_AT_ATTACHMENT.test(s)).join('');
}

/** The closing sentence: what comes on paper, or where the attachments can be seen. */
export function whereTheRestIs(attachments: number, onPaper: boolean): string {
  if (onPaper) return attachments > 0 ? `紙の回覧は班長さんがお届けします。資料が${attachments}点ついています。` : '紙の回覧は班長さんがお届けします。';
  return attachments > 0 ? `資料${attachments}点は、アプリでご覧になれます。` : '';
}

export function spokenText(circular: SpokenCircular): string {
  const lead = circular.kind === 'reminder' ? '回覧板のお知らせです。まだ確認されていない回覧があります。' : '回覧板のお知らせです。';
  const tail = whereTheRestIs(circular.attachments, circular.onPaper);
  const head = `${lead}${circular.title}。`;
  // The body gives way when the message is too long: the closing sentence is always said.
  const room = Math.max(0, SPOKEN_LIMIT - head.length - tail.length);
  return `${head}${withoutAttachmentReferences(circular.plainText).slice(0, room)}${tail}`.slice(0, SPOKEN_LIMIT);
}
