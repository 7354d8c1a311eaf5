import { useState } from 'preact/hooks';
import type { HouseholdSummary, PasscodeItem } from '../../../../../server/src/contracts/roster.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, LoadState, Loading, Notice } from '../../../ui/alerts.js';
import { DataTable } from '../../../ui/data-table.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SearchForm } from '../../../ui/search-form.js';
import { TextField } from '../../../ui/fields.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { touchesHousehold, useResource } from '../../../lib/use-resource.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { PasscodeQr } from '../components/passcode-qr.js';

interface Desk {
  household: Pick<HouseholdSummary, 'id' | 'name'>;
  item: PasscodeItem;
  /** The members who already had a login before this code: anyone else with one joined here. */
  before: Set<string>;
}

/**
 * Help desk (a registration day at the community hall): the officer finds the resident's
 * household, the screen shows a fresh QR code and passcode large for the resident's phone to
 * scan, and says so as soon as someone of the household has joined (live, or on 更新).
 */
export function HelpDeskPage() {
  useTitle(t('helpDesk.title'));
  const [q, setQ] = useState('');
  const [found, setFound] = useState<HouseholdSummary[] | null>(null);
  const [desk, setDesk] = useState<Desk | null>(null);
  const { submit: run, busy, error } = useSubmit();

  const searchHouseholds = () => run(async () => setFound((await api.households({ q: q.trim() || undefined, limit: 20 })).items));
  const start = (household: HouseholdSummary) =>
    run(async () => {
      const detail = await api.household(household.id);
      const before = new Set(detail.members.filter((m) => m.hasAccount).map((m) => m.id));
      setDesk({ household, item: await api.helpDeskPasscode(household.id), before });
    });

  if (desk) return <DeskScreen desk={desk} onNext={() => setDesk(null)} />;
  return (
    <div class="stack">
      <PageHeading>{t('helpDesk.title')}</PageHeading>
      <p>{t('helpDesk.intro')}</p>
      <SearchForm onSearch={() => void searchHouseholds()}>
        <TextField id="help-desk-search" label={t('helpDesk.search')} value={q} onValue={setQ} type="search" />
        <button type="submit" class="primary" disabled={busy}>
          {t('helpDesk.find')}
        </button>
      </SearchForm>
      <ErrorAlert error={error} />
      {busy && <Loading />}
      {found && found.length === 0 && <p>{t('helpDesk.noneFound')}</p>}
      {found && found.length > 0 && (
        <DataTable
          rows={found}
          rowKey={(h) => h.id}
          rowProps={() => ({ 'data-testid': 'help-desk-household' })}
          columns={[
            { label: t('household.number'), cell: (h) => h.householdNumber },
            { label: t('household.name'), cell: (h) => h.name },
            { label: t('household.address'), cell: (h) => h.address },
            { label: t('household.block'), cell: (h) => h.blockName },
            {
              label: t('common.actions'),
              cell: (h) => (
                <button type="button" class="primary small" disabled={busy} onClick={() => void start(h)}>
                  {t('helpDesk.start')}
                </button>
              ),
            },
          ]}
        />
      )}
    </div>
  );
}

function DeskScreen({ desk, onNext }: { desk: Desk; onNext: () => void }) {
  const { household, item, before } = desk;
  const state = useResource((signal) => api.household(household.id, signal), {
    deps: [household.id],
    events: ['roster:changed'],
    filter: { 'roster:changed': touchesHousehold(household.id) },
  });
  const joined = (state.data?.members ?? []).filter((m) => m.hasAccount && !before.has(m.id));
  return (
    <div class="stack help-desk">
      <PageHeading>{t('helpDesk.forHousehold', { name: household.name })}</PageHeading>
      <p class="help-desk-instruction">{t('helpDesk.scan')}</p>
      <PasscodeQr item={item} size="large" />
      <p class="passcode-url" translate={false}>
        {item.joinUrl}
      </p>
      {joined.length > 0 ? (
        <Notice testid="help-desk-joined">{t('helpDesk.joined', { names: joined.map((m) => m.name).join('、') })}</Notice>
      ) : (
        <p role="status" data-testid="help-desk-waiting">
          {t('helpDesk.waiting')}
        </p>
      )}
      <LoadState state={state} />
      <p class="actions">
        <button type="button" class="secondary" onClick={() => state.reload()}>
          {t('helpDesk.refresh')}
        </button>
        <button type="button" class="primary" onClick={onNext}>
          {t('helpDesk.next')}
        </button>
      </p>
    </div>
  );
}
