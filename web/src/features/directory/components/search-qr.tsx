import { useEffect, useState } from 'preact/hooks';
import { t } from '../../../lib/i18n.js';

/** The QR code of the association's public search page, to print on stickers and circulars. */
export function SearchQr({ url }: { url: string }) {
  const [svg, setSvg] = useState('');
  useEffect(() => {
    let live = true;
    void import('qrcode').then(({ default: QRCode }) =>
      QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }).then((s) => live && setSvg(s)),
    );
    return () => {
      live = false;
    };
  }, [url]);
  return (
    <div class="card search-qr" data-testid="directory-qr">
      <p class="qr-title">{t('directory.qr.sticker')}</p>
      {/* The SVG is the qrcode library's output from our own URL, not user content. */}
      <div class="qr" dangerouslySetInnerHTML={{ __html: svg }} />
      <p class="qr-url">{url}</p>
    </div>
  );
}
