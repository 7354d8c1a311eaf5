import type { Attachment } from '../../../lib/api.js';
import { useAsync } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { renderPdfPages, type RenderedPage } from './pdf-pages.js';

/** A circular's attachments made ready for paper: an image as it is, a PDF as one image per page. */
export interface PrintedAttachment {
  id: string;
  filename: string;
  kind: 'image' | 'pdf';
  pages: RenderedPage[];
}

async function loadImage(url: string): Promise<RenderedPage> {
  const image = new Image();
  image.src = url;
  await image.decode();
  return { src: url, width: image.naturalWidth, height: image.naturalHeight };
}

/**
 * Loads the images and draws the PDF pages before anything is printed: the print button
 * waits for this, so a copy never goes to the printer with a blank page where a PDF belongs.
 */
export function usePrintedAttachments(items: Attachment[]) {
  return useAsync(
    (signal) =>
      Promise.all(
        items.map(async (item): Promise<PrintedAttachment> => {
          const kind = item.contentType === 'application/pdf' ? 'pdf' : 'image';
          const pages = kind === 'pdf' ? await renderPdfPages(item.url, signal) : [await loadImage(item.url)];
          return { id: item.id, filename: item.filename, kind, pages };
        }),
      ),
    [items.map((item) => item.id).join(',')],
  );
}

/** The attachments printed after the circular: images scaled to the page, one PDF page per sheet. */
export function PrintAttachments({ printed }: { printed: PrintedAttachment[] }) {
  if (!printed.length) return null;
  const pageCount = printed.reduce((n, a) => n + (a.kind === 'pdf' ? a.pages.length : 0), 0);
  return (
    <section class="print-attachments" data-testid="print-attachments">
      <h3>{t('circulars.print.attachmentsHeading', { count: printed.length })}</h3>
      <p class="print-note">{pageCount ? t('circulars.print.attachmentsNotePages', { count: printed.length, pages: pageCount }) : t('circulars.print.attachmentsNote', { count: printed.length })}</p>
      {printed.map((attachment) =>
        attachment.pages.map((page, index) => (
          <figure key={`${attachment.id}-${index}`} class={`print-attachment ${attachment.kind}`} data-testid="print-attachment-page" data-kind={attachment.kind}>
            <img src={page.src} width={page.width} height={page.height} alt={attachment.kind === 'pdf' ? `${attachment.filename} (${index + 1}/${attachment.pages.length})` : attachment.filename} />
            <figcaption>
              {attachment.filename}
              {attachment.kind === 'pdf' && ` ${t('circulars.print.pageOf', { page: index + 1, pages: attachment.pages.length })}`}
            </figcaption>
          </figure>
        )),
      )}
    </section>
  );
}
