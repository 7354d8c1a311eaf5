import { useState } from 'preact/hooks';
import type { PersonView } from '../../../../../server/src/contracts/roster.js';
import { api } from '../../../lib/api.js';
import { LoadState } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { HouseholdView } from '../components/household-view.js';
import { HouseholdEditForm } from '../components/household-fields.js';
import { PersonForm } from '../components/person-form.js';
import { FamilyInvitation } from '../components/family-invitation.js';
import { ResetCodeConfirm, ResetCodeSlip } from '../components/reset-code.js';
import type { ResetCodeIssued } from '../../../../../server/src/contracts/auth.js';
import { mayRefer, ReferralList } from '../../directory/components/referral-panel.js';
import { useResource } from '../../../lib/use-resource.js';
import { ROSTER_REFRESH, touchesHousehold } from '../../../lib/use-resource.js';

const NO_REFERRALS: never[] = [];

export function HouseholdPage({ id }: { id: string }) {
  const session = useRequiredSession();
  const state = useResource((signal) => api.household(id, signal), { deps: [id], ...ROSTER_REFRESH, filter: { 'roster:changed': touchesHousehold(id) } });
  useTitle(state.data?.name ?? t('household.title'));
  const officer = session.roles.officer;
  // The household itself keeps its contact details, notes and members current (README's role
  // table; roster.policy canEditHousehold / canEditPerson): the same forms, without 班 or 世帯番号.
  const mayEdit = officer || (!!state.data && session.roles.household?.id === state.data.id);
  const [editing, setEditing] = useState<PersonView | 'new' | null>(null);
  // A password reset code: asked for (resetFor), then shown once as a slip (issued), alone on the page so it prints alone.
  const [resetFor, setResetFor] = useState<PersonView | null>(null);
  const [issued, setIssued] = useState<ResetCodeIssued | null>(null);

  if (issued) return <ResetCodeSlip issued={issued} associationName={session.association.name} onDone={() => setIssued(null)} />;

  return (
    <div class="stack">
      <p class="no-print">
        <Link href={officer ? '/roster' : '/'}>{officer ? t('household.backToRoster') : t('household.backHome')}</Link>
      </p>
      <PageHeading>{state.data ? state.data.name : t('household.title')}</PageHeading>
      <LoadState state={state} />
      {state.data && (
        <>
          <p class="actions">
            <Link href={`/watch/households/${state.data.id}`} class="button secondary" data-testid="household-watch-link">
              {t('household.watchLink')}
            </Link>
          </p>
          <HouseholdView
            household={state.data}
            headingLevel={2}
            onEditMember={mayEdit ? (p) => setEditing(p) : undefined}
            // Officers only; never for themselves (the password page is theirs). The server decides the rest (password-reset.policy).
            onIssueResetCode={officer ? { mayReset: (p) => p.id !== session.person.id, issue: setResetFor } : undefined}
          />
          {resetFor && (
            <ResetCodeConfirm
              key={resetFor.id}
              person={resetFor}
              onCancel={() => setResetFor(null)}
              onIssued={(code) => {
                setResetFor(null);
                setIssued(code);
              }}
            />
          )}
          {/* Only those who may see referrals ask for them (the household and its family get none: no 404 to fetch). */}
          {mayRefer(session.roles) && <ReferralList householdId={state.data.id} added={NO_REFERRALS} />}
          {(officer || session.roles.household?.id === state.data.id) && <FamilyInvitation householdId={state.data.id} />}
          {mayEdit && (
            <>
              <section class="section" aria-labelledby="member-form-heading">
                <h2 id="member-form-heading">{t('person.sectionTitle')}</h2>
                {editing ? (
                  <PersonForm
                    key={editing === 'new' ? 'new' : editing.id}
                    householdId={state.data.id}
                    person={editing === 'new' ? null : editing}
                    onDone={(saved) => {
                      setEditing(null);
                      if (saved) state.reload();
                    }}
                  />
                ) : (
                  <button type="button" class="primary" onClick={() => setEditing('new')}>
                    {t('person.add')}
                  </button>
                )}
              </section>
              <HouseholdEditForm household={state.data} officer={officer} onSaved={(updated) => state.setData(() => updated)} />
            </>
          )}
        </>
      )}
    </div>
  );
}
