import { useState } from 'preact/hooks';
import type { CircularList } from '../../../../../server/src/contracts/circulars.js';
import { api, type CircularStatus } from '../../../lib/api.js';
import { CategoryChip, CorrectedBadge, ReadRate, STATUSES, StatusBadge, dueText } from '../components/circular-badges.js';
import { DataTable } from '../../../ui/data-table.js';
import { LoadState } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField, TextField } from '../../../ui/fields.js';
import { formatDate } from '../../../lib/format.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useResource } from '../../../lib/use-resource.js';
import { CIRCULAR_LIST_REFRESH } from '../components/circular-badges.js';
import { Pager, SearchForm } from '../../../ui/search-form.js';

// ── Officer list ───────────────────────────────────────────────────────────────────────

const OFFICER_PAGE = 50;

export function CircularsPage() {
  useTitle(t('circulars.title'));
  const [status, setStatus] = useState<'' | CircularStatus>('');
  const [qInput, setQInput] = useState('');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useResource((signal) => api.circulars({ q: q || undefined, status: status || undefined, limit: OFFICER_PAGE, offset }, signal), {
    deps: [q, status, offset],
    ...CIRCULAR_LIST_REFRESH,
  });

  return (
    <div class="stack">
      <PageHeading>{t('circulars.title')}</PageHeading>
      <p class="actions">
        <Link href="/circulars/new" class="button primary" data-testid="new-circular">
          {t('circulars.new')}
        </Link>
      </p>
      <SearchForm
        onSearch={() => {
          setOffset(0);
          setQ(qInput.trim());
        }}
      >
        <SelectField
          id="circular-status"
          label={t('circulars.list.status')}
          value={status}
          onValue={(value) => {
            setOffset(0);
            setStatus(value as '' | CircularStatus);
          }}
          options={[{ value: '', label: t('circulars.list.allStatuses') }, ...STATUSES.map((s) => ({ value: s, label: t(`circulars.statuses.${s}`) }))]}
        />
        <TextField
          id="circular-q"
          type="search"
          label={t('circulars.list.search')}
          hint={t('circulars.list.searchHint')}
          value={qInput}
          onValue={setQInput}
        />
        <button type="submit" class="secondary">
          {t('circulars.list.searchButton')}
        </button>
      </SearchForm>
      <LoadState state={list} />
      {list.data && <OfficerTable list={list.data} />}
      {list.data && list.data.total > OFFICER_PAGE && (
        <Pager offset={offset} pageSize={OFFICER_PAGE} total={list.data.total} onOffset={setOffset} />
      )}
    </div>
  );
}

function OfficerTable({ list }: { list: CircularList }) {
  if (list.items.length === 0) return <p class="card">{t('circulars.list.empty')}</p>;
  return (
    <>
      <p class="result-count" role="status">
        {t('circulars.list.count', { count: list.total })}
      </p>
      <DataTable
        rows={list.items}
        rowKey={(circular) => circular.id}
        rowProps={(circular) => ({ 'data-testid': 'circular-row', class: circular.status === 'withdrawn' ? 'withdrawn-row' : undefined })}
        columns={[
          {
            label: t('circulars.list.status'),
            cell: (circular) => (
              <span class="badges">
                <StatusBadge status={circular.status} />
                {circular.corrected && <CorrectedBadge />}
              </span>
            ),
          },
          {
            label: t('circulars.fields.title'),
            cell: (circular) => {
              const editable = circular.status === 'draft' || circular.status === 'scheduled';
              return (
                <>
                  <span class="badges">
                    <CategoryChip category={circular.category} />
                  </span>{' '}
                  <Link href={editable ? `/circulars/${circular.id}/edit` : `/circulars/${circular.id}`} class="row-title">
                    {circular.title}
                  </Link>
                </>
              );
            },
          },
          {
            label: t('circulars.list.dates'),
            cell: (circular) => (
              <>
                {circular.status === 'scheduled' && circular.publishAt && (
                  <span class="block-line">{t('circulars.scheduledFor', { date: formatDate(circular.publishAt) })}</span>
                )}
                {circular.publishedAt && <span class="block-line">{t('circulars.publishedOn', { date: formatDate(circular.publishedAt) })}</span>}
                {circular.dueAt && <span class="block-line">{dueText(circular.dueAt)}</span>}
              </>
            ),
          },
          {
            label: t('circulars.list.readRate'),
            cell: (circular) =>
              circular.progress && circular.status !== 'draft' && circular.status !== 'scheduled' ? (
                <>
                  <ReadRate acknowledged={circular.progress.acknowledged} total={circular.progress.total} />
                  <Link href={`/circulars/${circular.id}/progress`} class="small-link">
                    {t('circulars.progress.link')}
                  </Link>
                </>
              ) : (
                <span class="muted">—</span>
              ),
          },
        ]}
      />
    </>
  );
}
