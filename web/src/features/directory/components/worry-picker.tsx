import { WORRIES, type Worry } from '../../../../../server/src/contracts/directory.js';
import { t } from '../../../lib/i18n.js';
import { Ruby } from '../../../ui/ruby.js';

/** Big tick buttons, one per worry of the shipped taxonomy (the general lines are what no tick shows). */
export function WorryPicker({ ticked, onToggle }: { ticked: Worry[]; onToggle: (worry: Worry) => void }) {
  return (
    <div class="worry-picker" role="group" aria-label={t('directory.help.worriesLabel')}>
      {WORRIES.filter((w) => w !== 'general').map((worry) => {
        const on = ticked.includes(worry);
        return (
          <button key={worry} type="button" class={on ? 'worry on' : 'worry'} aria-pressed={on} data-worry={worry} onClick={() => onToggle(worry)}>
            <span class="tick" aria-hidden="true">{on ? '✓' : ''}</span>
            <Ruby k={`directory.worry.${worry}`} />
          </button>
        );
      })}
    </div>
  );
}
