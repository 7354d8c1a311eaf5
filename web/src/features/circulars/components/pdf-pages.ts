import workerUrl from 'pdfjs-dist/legacy/build/pdf.worker.min.mjs?url';

/**
 * A PDF's pages as images, for printing: PDF.js (loaded only here, on the print view, as its
 * own chunk) draws each page on a canvas, kept as a PNG data URL so every printed copy can
 * show it without drawing it again. Its worker is a file of this app, served from our own
 * origin (the CSP allows workers from 'self' only). The legacy build runs on older phones
 * and tablets too.
 */

export interface RenderedPage {
  src: string;
  width: number;
  height: number;
}

/** Pixels per PDF point: 2 draws an A4 page ~1190 px wide (about 144 dpi), sharp enough for text on paper. */
const SCALE = 2;

export async function renderPdfPages(url: string, signal: AbortSignal): Promise<RenderedPage[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
  // Same origin: the session cookie goes with the request. The CMaps and standard fonts are
  // ours too (web/vite.config.ts), for PDFs whose fonts are not embedded.
  const task = pdfjs.getDocument({ url, cMapUrl: '/pdfjs/cmaps/', standardFontDataUrl: '/pdfjs/standard_fonts/' });
  const abort = () => void task.destroy();
  signal.addEventListener('abort', abort);
  try {
    const doc = await task.promise;
    const pages: RenderedPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: SCALE });
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(viewport.width);
      canvas.height = Math.ceil(viewport.height);
      await page.render({ canvas, viewport, background: '#ffffff' }).promise;
      pages.push({ src: canvas.toDataURL('image/png'), width: canvas.width, height: canvas.height });
      page.cleanup();
    }
    return pages;
  } finally {
    signal.removeEventListener('abort', abort);
    void task.destroy();
  }
}
