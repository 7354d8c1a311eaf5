import { useState } from 'preact/hooks';
import type { BlockView, HouseholdList } from '../../../../../server/src/contracts/roster.js';
import { api } from '../../../lib/api.js';
import { ChannelList } from '../../../ui/channels.js';
import { DataTable } from '../../../ui/data-table.js';
import { ErrorAlert, Loading, Notice } from '../../../ui/alerts.js';
import { SelectField, TextField } from '../../../ui/fields.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { FormActions } from '../../../ui/form-actions.js';
import { HouseholdFields, householdBody, type HouseholdFormState } from './household-fields.js';
import { PASSCODE_SELECTION_KEY } from './export-section.js';
import { useResource } from '../../../lib/use-resource.js';
import { ROSTER_REFRESH } from '../../../lib/use-resource.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { Pager, SearchForm } from '../../../ui/search-form.js';

const PAGE_SIZE = 50;

export function HouseholdsSection({ blocks }: { blocks: BlockView[] }) {
  const [blockId, setBlockId] = useState('');
  const [qInput, setQInput] = useState('');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [preparing, setPreparing] = useState(false);
  const [prepareError, setPrepareError] = useState<unknown>(null);
  const list = useResource((signal) => api.households({ blockId: blockId || undefined, q: q || undefined, limit: PAGE_SIZE, offset }, signal), {
    deps: [blockId, q, offset],
    ...ROSTER_REFRESH,
  });

  const data: HouseholdList | undefined = list.data;
  const total = data?.total ?? 0;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + PAGE_SIZE, total);

  // A new filter starts from its first page.
  const chooseBlock = (value: string) => {
    setBlockId(value);
    setOffset(0);
  };

  async function printSelection() {
    setPrepareError(null);
    if (blockId && !q) {
      navigate(`/passcodes?blockId=${encodeURIComponent(blockId)}`);
      return;
    }
    setPreparing(true);
    try {
      const ids: string[] = [];
      for (let start = 0; ; start += 500) {
        const page = await api.households({ blockId: blockId || undefined, q: q || undefined, limit: 500, offset: start });
        ids.push(...page.items.map((item) => item.id));
        if (page.items.length < 500 || ids.length >= page.total) break;
      }
      sessionStorage.setItem(PASSCODE_SELECTION_KEY, JSON.stringify(ids.slice(0, 2000)));
      navigate('/passcodes?selection=1');
    } catch (err) {
      setPrepareError(err);
    } finally {
      setPreparing(false);
    }
  }

  return (
    <section class="section" aria-labelledby="households-heading">
      <h2 id="households-heading">{t('households.title')}</h2>
      <SearchForm
        onSearch={() => {
          setOffset(0);
          setQ(qInput.trim());
        }}
      >
        <SelectField
          id="households-block"
          label={t('households.filterBlock')}
          value={blockId}
          onValue={chooseBlock}
          options={[{ value: '', label: t('households.allBlocks') }, ...blocks.map((b) => ({ value: b.id, label: b.name }))]}
        />
        <TextField id="households-q" label={t('households.search')} type="search" value={qInput} onValue={setQInput} hint={t('households.searchHint')} />
        <button type="submit" class="primary">
          {t('households.searchButton')}
        </button>
      </SearchForm>

      {list.error ? <ErrorAlert error={list.error} /> : null}
      {list.loading && !data && <Loading />}
      {data && (
        <>
          <p role="status" class="result-count">
            {t('households.count', { from, to, total })}
          </p>
          {data.items.length > 0 && (
            <DataTable
              class="stacked clickable"
              rows={data.items}
              rowKey={(household) => household.id}
              rowProps={(household) => ({
                'data-testid': 'household-row',
                onClick: (event) => {
                  // Clicks on the name link navigate by themselves.
                  if (event.target instanceof Element && event.target.closest('a')) return;
                  navigate(`/households/${household.id}`);
                },
              })}
              columns={[
                { label: t('household.number'), cell: (household) => household.householdNumber },
                { label: t('household.name'), cell: (household) => <Link href={`/households/${household.id}`}>{household.name}</Link> },
                { label: t('household.address'), cell: (household) => household.address },
                { label: t('household.block'), cell: (household) => household.blockName },
                { label: t('household.channels'), cell: (household) => <ChannelList channels={household.channels} /> },
                { label: t('households.members'), cell: (household) => household.memberCount },
              ]}
            />
          )}
          <Pager offset={offset} pageSize={PAGE_SIZE} total={total} onOffset={setOffset} />
          {total > 0 && (
            <p>
              <button type="button" class="secondary" disabled={preparing} onClick={() => void printSelection()}>
                {t('households.printPasscodes', { count: total })}
              </button>
            </p>
          )}
          {prepareError ? <ErrorAlert error={prepareError} /> : null}
        </>
      )}
      <AddHouseholdForm blocks={blocks} defaultBlockId={blockId} onAdded={() => list.reload()} />
    </section>
  );
}

function AddHouseholdForm({ blocks, defaultBlockId, onAdded }: { blocks: BlockView[]; defaultBlockId: string; onAdded: () => void }) {
  const empty = (): HouseholdFormState => ({
    householdNumber: '',
    name: '',
    address: '',
    blockId: defaultBlockId,
    channels: ['app'],
    responderNotes: '',
  });
  const [form, setForm] = useState<HouseholdFormState>(empty);
  const { submit: run, busy, error, setError } = useSubmit();
  const [created, setCreated] = useState<{ id: string; name: string } | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    setCreated(null);
    if (!form.blockId) return setError(t('household.errors.block'));
    if (form.channels.length === 0) return setError(t('household.errors.channels'));
    await run(async () => {
      const household = await api.createHousehold(householdBody(form));
      setCreated({ id: household.id, name: household.name });
      setForm(empty());
      onAdded();
    });
  }

  return (
    <details class="card">
      <summary>{t('households.addTitle')}</summary>
      <form class="form" data-testid="household-create-form" onSubmit={submit} noValidate>
        <HouseholdFields idPrefix="hh-new" form={form} setForm={setForm} blocks={blocks} />
        <ErrorAlert error={error} />
        {created && (
          <Notice>
            {t('households.added')} <Link href={`/households/${created.id}`}>{created.name}</Link>
          </Notice>
        )}
        <FormActions busy={busy} submitLabel={t('households.create')} />
      </form>
    </details>
  );
}
