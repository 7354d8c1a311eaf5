import { useEffect, useState } from 'preact/hooks';
import type { HouseholdWatch } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../lib/api.js';
import { FormActions } from '../../../ui/form-actions.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';

export function ConsentForm({ watch, onSaved }: { watch: HouseholdWatch; onSaved: (next: HouseholdWatch) => void }) {
  const [family, setFamily] = useState(watch.settings.shareWithFamily);
  const [captain, setCaptain] = useState(watch.settings.shareWithCaptain);
  const [volunteers, setVolunteers] = useState(watch.settings.shareWithVolunteers);
  const { submit: run, busy, error } = useSubmit();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setFamily(watch.settings.shareWithFamily);
    setCaptain(watch.settings.shareWithCaptain);
    setVolunteers(watch.settings.shareWithVolunteers);
  }, [watch.settings]);

  async function submit(event: Event) {
    event.preventDefault();
    setSaved(false);
    await run(async () => {
      onSaved(await api.updateWatchSettings(watch.householdId, { shareWithFamily: family, shareWithCaptain: captain, shareWithVolunteers: volunteers }));
      setSaved(true);
    });
  }

  const boxes = [
    { id: 'consent-family', label: t('watch.consent.family'), checked: family, set: setFamily },
    { id: 'consent-captain', label: t('watch.consent.captain'), checked: captain, set: setCaptain },
    { id: 'consent-volunteers', label: t('watch.consent.volunteers'), checked: volunteers, set: setVolunteers },
  ];
  return (
    <section class="section" aria-labelledby="consent-heading">
      <h2 id="consent-heading">{t('watch.consent.heading')}</h2>
      <form class="card form" data-testid="watch-consent" onSubmit={(e) => void submit(e)}>
        <p class="hint">{t('watch.consent.intro')}</p>
        <fieldset class="field checkbox-group big-checks">
          <legend>{t('watch.consent.legend')}</legend>
          {boxes.map((box) => (
            <div class="check" key={box.id}>
              <input type="checkbox" id={box.id} checked={box.checked} onChange={(e) => box.set(e.currentTarget.checked)} />
              <label for={box.id}>{box.label}</label>
            </div>
          ))}
        </fieldset>
        <ErrorAlert error={error} />
        {saved && <Notice testid="consent-saved">{t('watch.consent.saved')}</Notice>}
        <FormActions busy={busy} submitLabel={t('watch.consent.save')} />
      </form>
    </section>
  );
}
