import type { CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { CategoryChip, CorrectedBadge, StatusBadge } from './circular-badges.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatDateTime, formatShortDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { Attachments } from './attachments.js';
import { HelpLinks } from '../../directory/components/referral-help-links.js';

export function CircularArticle({ detail, showStatus }: { detail: CircularDetail; showStatus: boolean }) {
  const withdrawn = detail.status === 'withdrawn';
  return (
    <article class={withdrawn ? 'circular is-withdrawn' : 'circular'} data-testid="circular" data-status={detail.status}>
      <p class="badges">
        <CategoryChip category={detail.category} />
        {(showStatus || withdrawn) && <StatusBadge status={detail.status} />}
        {detail.correction && <CorrectedBadge />}
      </p>
      <PageHeading>
        <span class="circular-title" lang={detail.display.language === 'en' ? 'en' : 'ja'}>
          {detail.display.title}
        </span>
      </PageHeading>
      {withdrawn && detail.withdrawal && (
        <div class="alert alert-withdrawn" role="note" data-testid="withdrawal">
          <p>
            <strong>{t('circulars.withdrawnNotice')}</strong>
          </p>
          <p>
            {t('circulars.withdrawReason')}: {detail.withdrawal.reason}
          </p>
          <p class="muted">{formatDateTime(detail.withdrawal.at)}</p>
        </div>
      )}
      <dl class="circular-meta">
        {detail.status === 'scheduled' && detail.publishAt && (
          <div>
            <dt>{t('circulars.fields.publishAt')}</dt>
            <dd>{formatDateTime(detail.publishAt)}</dd>
          </div>
        )}
        {detail.publishedAt && (
          <div>
            <dt>{t('circulars.publishedLabel')}</dt>
            <dd>{formatShortDateTime(detail.publishedAt)}</dd>
          </div>
        )}
        {detail.dueAt && (
          <div>
            <dt>{t('circulars.dueLabel')}</dt>
            <dd class="due">{formatShortDateTime(detail.dueAt)}</dd>
          </div>
        )}
      </dl>
      {detail.correction && (
        <div class="alert alert-correction" role="note" data-testid="correction">
          <p>
            <CorrectedBadge /> <strong>{t('circulars.correctionNote')}</strong>
          </p>
          <p class="notes">{detail.correction.note}</p>
          <p class="muted">{formatDateTime(detail.correction.at)}</p>
        </div>
      )}
      {/* Sanitised HTML rendered by the server from the Markdown source. */}
      {detail.display.bodyHtml.trim() && (
        <div
          class="circular-body"
          lang={detail.display.language === 'en' ? 'en' : 'ja'}
          dangerouslySetInnerHTML={{ __html: detail.display.bodyHtml }}
        />
      )}
      {detail.attachments.length > 0 && <Attachments items={detail.attachments} />}
      <HelpLinks help={detail.help} />
    </article>
  );
}
