import { type Attachment } from '../../../lib/api.js';
import { t } from '../../../lib/i18n.js';

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function Attachments({ items }: { items: Attachment[] }) {
  return (
    <section class="attachments" aria-labelledby="attachments-heading">
      <h2 id="attachments-heading">{t('circulars.attachments.heading')}</h2>
      <ul class="plain attachment-list">
        {items.map((item) => (
          <li key={item.id} data-testid="attachment">
            {item.contentType.startsWith('image/') && (
              <a href={item.url} target="_blank" rel="noopener" class="attachment-image-link">
                <img src={item.url} alt={item.filename} class="attachment-image" loading="lazy" />
              </a>
            )}
            <a href={item.url} target="_blank" rel="noopener" class="attachment-link">
              {item.filename}
            </a>{' '}
            <span class="muted">
              ({item.contentType === 'application/pdf' ? 'PDF, ' : ''}
              {formatSize(item.size)}) {t('circulars.attachments.newTab')}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
