import type { ComponentChildren, VNode } from 'preact';
import type { TargetView } from '../../../../../server/src/contracts/drills.js';
import { formatTime, joinParts } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { MemberPhones } from '../../../ui/member-phones.js';

/** A target household's number and name, with its block and address under it. */
export function TargetName({
  target,
  heading: Heading = 'h3',
  nameClass = 'target-name',
  addressClass = 'muted',
}: {
  target: TargetView;
  /** The task page lists households as its sections (h2); cards under a section take h3. */
  heading?: 'h2' | 'h3';
  nameClass?: string;
  addressClass?: string;
}) {
  return (
    <>
      <Heading class={nameClass}>
        {target.householdNumber} {target.name}
      </Heading>
      <p class={addressClass}>
        {joinParts([target.blockName, target.address])}
      </p>
    </>
  );
}

/**
 * A household to follow up (the live dashboard's and the report's): its answer, where it is,
 * its note and when and how it answered, with the members' phones. `tags` sit under the address.
 */
export function FollowUpCard({
  target,
  class: className,
  testid,
  chip,
  tags,
  answeredOnly = false,
}: {
  target: TargetView;
  class: string;
  testid: string;
  chip: ComponentChildren;
  tags?: ComponentChildren;
  /** Show the "answered at" line only when the household answered (the report lists unanswered ones too). */
  answeredOnly?: boolean;
}) {
  return (
    <li class={className} data-testid={testid}>
      <p>
        {chip} {target.where && <span>{t(`drills.where.${target.where}`)}</span>}
      </p>
      <TargetName target={target} />
      {tags}
      {target.note && <p class="notes target-note">{target.note}</p>}
      {(!answeredOnly || target.answeredAt) && (
        <p class="muted small-text">
          {joinParts([target.answeredAt && t('drills.answeredAt', { time: formatTime(target.answeredAt) }), target.channel && t(`drills.channels.${target.channel}`)])}
        </p>
      )}
      <MemberPhones members={target.members} />
    </li>
  );
}

/** A section listing households to follow up, with their count; `empty` says there are none. */
export function FollowUpSection({
  id,
  title,
  empty,
  targets,
  children,
}: {
  id: string;
  title: string;
  empty: string;
  targets: TargetView[];
  children: (target: TargetView) => VNode;
}) {
  return (
    <section class="section" aria-labelledby={id}>
      <h2 id={id}>
        {title} <span class="count-pill">{targets.length}</span>
      </h2>
      {targets.length === 0 ? <p class="muted">{empty}</p> : <ul class="card-list target-list">{targets.map(children)}</ul>}
    </section>
  );
}

/** Why a household went past a tier: "ログインできる班長がいないため". */
export function skippedText(skipped: readonly ('captain' | 'volunteers')[]): string {
  return t('drills.skips.because', { who: skipped.map((tier) => t(`drills.skips.who.${tier}`)).join('・') });
}

/** The 班 whose households went past a tier nobody in it could be reached in, and to whom. */
export function SkipNotice({ skips }: { skips: { blockId: string; blockName: string; skipped: ('captain' | 'volunteers')[]; to: string }[] }) {
  if (skips.length === 0) return null;
  return (
    <section class="section" aria-labelledby="skips-heading" data-testid="drill-skips">
      <h2 id="skips-heading">{t('drills.skips.heading')}</h2>
      <ul class="plain">
        {skips.map((skip) => (
          <li key={`${skip.blockId}:${skip.to}:${skip.skipped.join()}`} class="alert alert-warning">
            {t('drills.skips.line', { block: skip.blockName, because: skippedText(skip.skipped), to: t(`drills.tiers.${skip.to}`) })}
          </li>
        ))}
      </ul>
    </section>
  );
}
