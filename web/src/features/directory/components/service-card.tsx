import type { DirectoryResult } from '../../../../../server/src/contracts/directory.js';
import { formatCalendarDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';

/** One service as a resident reads it: who, what for, tap to call, when, what it costs, how fresh. */
export function ServiceCard({ service }: { service: DirectoryResult }) {
  const tel = service.phone.replace(/[^0-9+#]/g, '');
  return (
    <article class="card service-card" data-testid="directory-result">
      <h3>{service.name}</h3>
      <p class="organisation">{service.organisation}</p>
      {service.description && <p>{service.description}</p>}
      <p class="worry-tags">{service.worries.filter((w) => w !== 'general').map((w) => t(`directory.worry.${w}`)).join('・')}</p>
      {service.phone && (
        <p>
          <a class="call" href={`tel:${encodeURIComponent(tel)}`}>
            {t('directory.card.call', { phone: service.phone })}
          </a>
        </p>
      )}
      <dl class="facts">
        {service.hours && <><dt>{t('directory.card.hours')}</dt><dd>{service.hours}</dd></>}
        {service.walkIn && <><dt>{t('directory.card.walkIn')}</dt><dd>{t('directory.card.walkInYes')}</dd></>}
        {service.address && <><dt>{t('directory.card.address')}</dt><dd>{service.address}</dd></>}
        {service.cost && <><dt>{t('directory.card.cost')}</dt><dd>{service.cost}</dd></>}
        {service.web && <><dt>{t('directory.card.web')}</dt><dd><a href={service.web} rel="noopener noreferrer" target="_blank">{service.web}</a></dd></>}
        <dt>{t('directory.card.serves')}</dt>
        <dd>{service.servesArea}</dd>
        <dt>{t('directory.card.confirmed')}</dt>
        <dd>{formatCalendarDay(service.lastConfirmedOn, { dateStyle: 'long' })}</dd>
      </dl>
    </article>
  );
}
