import type { BlockView } from '../../../server/src/contracts/roster.js';
import { ErrorAlert, Loading } from './alerts.js';
import { type AsyncState } from '../lib/hooks.js';
import { t } from '../lib/i18n.js';
import { FieldError } from './field-error.js';

/**
 * Who a circular or a safety confirmation goes to: the whole association, or chosen 班
 * (with their household counts). One field for both forms.
 */
export function BlockTargetField(props: {
  idPrefix: string;
  legend: string;
  wholeLabel: string;
  chooseLabel: string;
  wholeAssociation: boolean;
  onWholeAssociation: (whole: boolean) => void;
  selected: string[];
  onSelected: (blockIds: string[]) => void;
  blocks: AsyncState<{ items: BlockView[] }>;
  errors: string[];
}) {
  const { idPrefix: id, blocks, selected } = props;
  return (
    <fieldset class="field" aria-describedby={props.errors.length ? `${id}-target-error` : undefined}>
      <legend>{props.legend}</legend>
      <div class="check">
        <input type="radio" id={`${id}-target-all`} name={`${id}-target`} checked={props.wholeAssociation} onChange={() => props.onWholeAssociation(true)} />
        <label for={`${id}-target-all`}>{props.wholeLabel}</label>
      </div>
      <div class="check">
        <input type="radio" id={`${id}-target-blocks`} name={`${id}-target`} checked={!props.wholeAssociation} onChange={() => props.onWholeAssociation(false)} />
        <label for={`${id}-target-blocks`}>{props.chooseLabel}</label>
      </div>
      {!props.wholeAssociation && (
        <div class="block-checks" role="group" aria-label={props.chooseLabel}>
          {blocks.error ? <ErrorAlert error={blocks.error} /> : null}
          {blocks.loading && !blocks.data && <Loading />}
          {blocks.data?.items.map((block) => (
            <div class="check" key={block.id}>
              <input
                type="checkbox"
                id={`${id}-block-${block.id}`}
                checked={selected.includes(block.id)}
                onChange={(e) => props.onSelected(e.currentTarget.checked ? [...selected, block.id] : selected.filter((b) => b !== block.id))}
              />
              <label for={`${id}-block-${block.id}`}>
                {block.name} <span class="muted">{t('blocks.householdCount', { count: block.householdCount })}</span>
              </label>
            </div>
          ))}
        </div>
      )}
      <FieldError id={`${id}-target-error`} messages={props.errors} />
    </fieldset>
  );
}
