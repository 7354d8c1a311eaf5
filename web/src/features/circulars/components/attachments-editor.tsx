import { useEffect, useRef, useState } from 'preact/hooks';
import type { CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { api, ApiError, type Attachment } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { formatSize } from './attachments.js';

const ACCEPT = 'application/pdf,image/png,image/jpeg,image/webp,image/gif';
const MAX_BYTES = 10 * 1024 * 1024;

export function AttachmentsEditor({ circular }: { circular: CircularDetail | null }) {
  const [items, setItems] = useState<Attachment[]>(circular?.attachments ?? []);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const id = circular?.id;
  useEffect(() => setItems(circular?.attachments ?? []), [id]);

  if (!circular) {
    return (
      <section class="section" aria-labelledby="attachments-edit-heading">
        <h2 id="attachments-edit-heading">{t('circulars.attachments.heading')}</h2>
        <p class="hint">{t('circulars.attachments.saveFirst')}</p>
      </section>
    );
  }
  const draft = circular.status === 'draft';

  async function upload(files: FileList | null) {
    if (!files || files.length === 0 || !id) return;
    setError(null);
    setBusy(true);
    try {
      for (const file of Array.from(files)) {
        if (file.size > MAX_BYTES) {
          setError(t('circulars.attachments.tooLarge', { name: file.name }));
          continue;
        }
        const attachment = await api.uploadAttachment(id, file);
        setItems((list) => [...list, attachment]);
      }
    } catch (err) {
      setError(err instanceof ApiError && err.status === 413 ? t('circulars.attachments.tooLarge', { name: '' }) : err);
    } finally {
      setBusy(false);
      if (inputRef.current) inputRef.current.value = '';
    }
  }

  async function remove(attachment: Attachment) {
    if (!id || !window.confirm(t('circulars.attachments.confirmDelete', { name: attachment.filename }))) return;
    setError(null);
    try {
      await api.deleteAttachment(id, attachment.id);
      setItems((list) => list.filter((a) => a.id !== attachment.id));
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section class="section" aria-labelledby="attachments-edit-heading" data-testid="attachments-editor">
      <h2 id="attachments-edit-heading">{t('circulars.attachments.heading')}</h2>
      {items.length === 0 ? (
        <p class="muted">{t('circulars.attachments.none')}</p>
      ) : (
        <ul class="plain attachment-list">
          {items.map((item) => (
            <li key={item.id} class="attachment-row" data-testid="attachment">
              <a href={item.url} target="_blank" rel="noopener">
                {item.filename}
              </a>{' '}
              <span class="muted">({formatSize(item.size)})</span>{' '}
              {draft && (
                <button
                  type="button"
                  class="danger small"
                  aria-label={t('circulars.attachments.deleteNamed', { name: item.filename })}
                  onClick={() => void remove(item)}
                >
                  {t('circulars.attachments.delete')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {draft ? (
        <div class="field">
          <label for="c-attachment">{t('circulars.attachments.add')}</label>
          <p class="hint" id="c-attachment-hint">
            {t('circulars.attachments.hint')}
          </p>
          <input
            ref={inputRef}
            id="c-attachment"
            type="file"
            accept={ACCEPT}
            multiple
            disabled={busy}
            aria-describedby="c-attachment-hint"
            onChange={(e) => void upload(e.currentTarget.files)}
          />
        </div>
      ) : (
        <p class="hint">{t('circulars.attachments.draftOnly')}</p>
      )}
      {busy && <Loading />}
      {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
    </section>
  );
}
