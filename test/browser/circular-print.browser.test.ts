import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOURNEY_TIMEOUT, loggedInPage } from '../support/browser.js';
import { PASSWORD } from '../support/fixtures.js';
import { loggedInClient, useBrowserSuite } from '../support/suite.js';
import { pdfOfJapaneseText, pdfOfPages, pngOf } from '../support/files.js';

const suite = useBrowserSuite();

/** What the printed attachments show: each image's kind, drawn size, and the colour at its centre. */
function attachmentPages(page: Page) {
  return page.getByTestId('print-attachment-page').evaluateAll((figures) =>
    figures.map((figure) => {
      const image = figure.querySelector('img')!;
      const box = image.getBoundingClientRect();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const [r, g, b] = context.getImageData(Math.floor(canvas.width / 2), Math.floor(canvas.height / 2), 1, 1).data;
      return { kind: (figure as HTMLElement).dataset.kind, width: Math.round(box.width), height: Math.round(box.height), naturalWidth: image.naturalWidth, centre: [r, g, b] };
    }),
  );
}

describe('printing a circular with its attachments', { timeout: JOURNEY_TIMEOUT }, () => {
  it('a 班長 prints the circular with its image and both PDF pages drawn, one named copy per home that gets paper', async () => {
    const { x, server, database } = suite;
    // A home of 1班 where nobody has the app: it gets paper too, beside 鈴木家 (who asked for paper).
    await database.db.insertInto('households').values({ association_id: x.association.id, block_id: x.blocks.block1.id, household_number: '105', name: '伊藤家', address: '京田辺市 105', channels: ['app'] }).execute();
    const officer = await loggedInClient(server, x.logins.officer);
    const draft = await officer.post('/api/circulars', { title: '防災マップの配布', bodyMarkdown: '避難場所が変わりました。' });
    const attach = (name: string, file: Buffer) => officer.request('POST', `/api/circulars/${draft.body.id}/attachments?filename=${name}`, file, { 'content-type': 'application/octet-stream' });
    expect((await attach('photo.png', pngOf(40, 30, [0, 0, 255]))).status).toBe(201);
    expect((await attach('map.pdf', pdfOfPages([[0, 0, 0], [1, 0, 0]]))).status).toBe(201);
    expect((await officer.post(`/api/circulars/${draft.body.id}/publish`)).status).toBe(200);

    const captain = await loggedInPage(suite.browser, server.baseUrl, x.logins.captain1, PASSWORD);
    const problems: string[] = [];
    const workers: string[] = [];
    captain.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    captain.on('pageerror', (error) => problems.push(error.message));
    captain.on('request', (request) => request.url().includes('pdf.worker') && workers.push(request.url()));
    await captain.goto(`${server.baseUrl}/circulars/${draft.body.id}/print`);

    // The print button waits for the PDF pages.
    const button = captain.getByTestId('print-button');
    await expect.poll(() => button.getAttribute('data-ready'), { timeout: 20_000 }).toBe('true');
    expect(await button.isEnabled()).toBe(true);

    // The homes that get paper, and why.
    expect(await captain.getByTestId('paper-home').allTextContents()).toEqual([
      expect.stringMatching(/103 鈴木家.*紙の回覧を希望/),
      expect.stringMatching(/105 伊藤家.*アプリで読める人がいない/),
    ]);
    expect(await captain.getByTestId('paper-count').textContent()).toContain('2 世帯');

    // The image as it is, then each PDF page drawn: black, then red.
    const pages = await attachmentPages(captain);
    expect(pages.map((p) => [p.kind, p.centre])).toEqual([
      ['image', [0, 0, 255]],
      ['pdf', [0, 0, 0]],
      ['pdf', [255, 0, 0]],
    ]);
    for (const p of pages) expect(p.width * p.height).toBeGreaterThan(0);
    expect(pages[1]!.naturalWidth).toBeGreaterThanOrEqual(400);
    expect(await captain.getByTestId('print-attachments').textContent()).toContain('PDF 2 ページ');

    // On paper they stay; the screen-only parts go.
    await captain.emulateMedia({ media: 'print' });
    for (const p of await attachmentPages(captain)) expect(p.width * p.height).toBeGreaterThan(0);
    expect(await captain.getByTestId('print-attachments').isVisible()).toBe(true);
    expect(await captain.getByTestId('paper-homes').isVisible()).toBe(false);
    expect(await captain.getByTestId('print-sheet').getByTestId('signoff-row').count()).toBe(2);
    await captain.emulateMedia({ media: 'screen' });

    // One copy per home, each with its name and the attachments, and the sign-off sheet after.
    await captain.getByTestId('per-home').check();
    expect(await captain.getByTestId('print-addressee').allTextContents()).toEqual(['103 鈴木家 様', '105 伊藤家 様']);
    expect(await captain.getByTestId('print-copy').nth(1).getByTestId('print-attachment-page').count()).toBe(3);
    expect(await button.textContent()).toContain('2 部');

    // PDF.js's worker came from our own origin, and nothing broke the page (the CSP included).
    expect(workers.length).toBeGreaterThan(0);
    expect(workers.every((url) => url.startsWith(`${server.baseUrl}/assets/`))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('draws a Japanese PDF whose font is not embedded, with the CMap from our own origin', async () => {
    const { x, server } = suite;
    const officer = await loggedInClient(server, x.logins.officer);
    const draft = await officer.post('/api/circulars', { title: '回覧の見本', targetBlockIds: [x.blocks.block2.id] });
    expect((await officer.request('POST', `/api/circulars/${draft.body.id}/attachments?filename=kairan.pdf`, pdfOfJapaneseText(), { 'content-type': 'application/pdf' })).status).toBe(201);
    expect((await officer.post(`/api/circulars/${draft.body.id}/publish`)).status).toBe(200);

    const page = await loggedInPage(suite.browser, server.baseUrl, x.logins.officer, PASSWORD);
    const cmaps: { url: string; status: number }[] = [];
    page.context().on('response', (response) => response.url().includes('UniJIS-UCS2-H') && cmaps.push({ url: response.url(), status: response.status() }));
    await page.goto(`${server.baseUrl}/circulars/${draft.body.id}/print?blockId=${x.blocks.block2.id}`);
    await expect.poll(() => page.getByTestId('print-button').getAttribute('data-ready'), { timeout: 20_000 }).toBe('true');
    expect(cmaps.length).toBeGreaterThan(0);
    expect(new Set(cmaps.map((c) => `${c.status} ${c.url}`))).toEqual(new Set([`200 ${server.baseUrl}/pdfjs/cmaps/UniJIS-UCS2-H.bcmap`]));
    // The two characters were drawn: the page is not blank.
    const dark = await page.getByTestId('print-attachment-page').locator('img').evaluate((image: HTMLImageElement) => {
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 128 && data[i + 1]! < 128 && data[i + 2]! < 128) n++;
      return n;
    });
    expect(dark).toBeGreaterThan(500);
  });
});
