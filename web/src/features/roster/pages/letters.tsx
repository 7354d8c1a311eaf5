import { useEffect, useState } from 'preact/hooks';
import type { PasscodeSheet } from '../../../../../server/src/contracts/roster.js';
import { api, type Language } from '../../../lib/api.js';
import { ErrorAlert, LoadState, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField, TextField } from '../../../ui/fields.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { InvitationLetter } from '../components/invitation-letter.js';

const HELP_DESK_KEY = 'tonari.letters.helpDesk';

/**
 * Invitation letters for the homes of a 班 nobody can reach through the app yet: one per
 * household, A4 or two to a page, for the 班長 to hand out. Officers choose any 班, a 班長
 * their own; the server leaves registered homes out.
 */
export function LettersPage({ search }: { search: URLSearchParams }) {
  useTitle(t('letters.title'));
  const session = useRequiredSession();
  const blocks = useAsync(() => api.blocks(), []);
  const [blockId, setBlockId] = useState(search.get('blockId') ?? '');
  const [helpDesk, setHelpDesk] = useState(() => localStorage.getItem(HELP_DESK_KEY) ?? '');
  const [perPage, setPerPage] = useState<'1' | '2'>('1');
  const [language, setLanguage] = useState<Language>('ja');
  const [sheet, setSheet] = useState<PasscodeSheet | null>(null);
  const { submit: run, busy, error, setError } = useSubmit();
  const items = blocks.data?.items ?? [];

  // A 班長 of one 班 has nothing to choose.
  useEffect(() => {
    if (!blockId && items.length === 1) setBlockId(items[0]!.id);
  }, [items.length]);
  useEffect(() => localStorage.setItem(HELP_DESK_KEY, helpDesk), [helpDesk]);

  async function create(event: Event) {
    event.preventDefault();
    setError(null);
    if (!blockId) return setError(t('passcodes.errors.chooseBlock'));
    await run(async () => setSheet(await api.letters({ blockId })));
  }

  return (
    <div class="stack">
      <div class="no-print stack">
        <PageHeading>{t('letters.title')}</PageHeading>
        <p>{t('letters.intro')}</p>
        <LoadState state={blocks} />
        <form class="card form" data-testid="letters-form" onSubmit={create} noValidate>
          <SelectField
            id="letters-block"
            label={t('passcodes.block')}
            value={blockId}
            onValue={setBlockId}
            options={[{ value: '', label: t('common.choose') }, ...items.map((b) => ({ value: b.id, label: b.name }))]}
          />
          <TextField id="letters-help-desk" label={t('letters.helpDesk')} hint={t('letters.helpDeskHint')} value={helpDesk} onValue={setHelpDesk} maxLength={200} />
          <SelectField
            id="letters-per-page"
            label={t('letters.perPage')}
            value={perPage}
            onValue={(v) => setPerPage(v === '2' ? '2' : '1')}
            options={[
              { value: '1', label: t('letters.onePerPage') },
              { value: '2', label: t('letters.twoPerPage') },
            ]}
          />
          <SelectField
            id="letters-language"
            label={t('letters.language')}
            value={language}
            onValue={(v) => setLanguage(v === 'ja-easy' || v === 'en' ? v : 'ja')}
            options={[
              { value: 'ja', label: t('languages.ja') },
              { value: 'ja-easy', label: t('languages.ja-easy') },
              { value: 'en', label: t('languages.en') },
            ]}
          />
          <p class="hint">{t('letters.voids')}</p>
          <button type="submit" class="primary" disabled={busy}>
            {t('letters.create')}
          </button>
        </form>
        {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
        {busy && <Loading />}
        {sheet && (
          <div class="actions">
            <p role="status" data-testid="letters-status">
              {sheet.items.length ? t('letters.created', { count: sheet.items.length }) : t('letters.empty')}
            </p>
            {sheet.items.length > 0 && (
              <button type="button" class="primary" onClick={() => window.print()}>
                {t('passcodes.print')}
              </button>
            )}
            {blockId && <Link href={`/unregistered?blockId=${blockId}`}>{t('unregistered.title')}</Link>}
          </div>
        )}
      </div>
      {sheet && sheet.items.length > 0 && (
        <div class={perPage === '2' ? 'letters two-up' : 'letters'} data-testid="letters">
          {sheet.items.map((item) => (
            <InvitationLetter key={item.householdId} item={item} associationName={session.association.name} helpDesk={helpDesk} language={language} />
          ))}
        </div>
      )}
    </div>
  );
}
