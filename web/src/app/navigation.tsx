import { useEffect, useState } from 'preact/hooks';
import type { SessionView } from '../../../server/src/contracts/auth.js';
import { api, type Language } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { Link, useLocation } from '../lib/router.js';
import { isCaptain, useSession } from '../lib/session.js';
import { useReviewCount } from '../features/directory/components/review-count.js';
import { Ruby } from '../ui/ruby.js';

/** Whether this person has anything to watch: a role, a family member, or a device at home. */
function useWatchLink(session: SessionView): string | null {
  const { roles } = session;
  const byRole = roles.officer || isCaptain(roles) || roles.volunteer || roles.welfareCommissioner || roles.watcherOf.length > 0;
  const householdId = !byRole ? roles.household?.id : undefined;
  const [hasDevice, setHasDevice] = useState(false);
  useEffect(() => {
    setHasDevice(false);
    if (!householdId) return;
    const controller = new AbortController();
    api
      .household(householdId, controller.signal)
      .then((household) => setHasDevice(household.devices.length > 0))
      .catch(() => undefined);
    return () => controller.abort();
  }, [householdId]);
  if (byRole) return '/watch';
  // A household member only watches their own home: straight to its page.
  return hasDevice && householdId ? `/watch/households/${householdId}` : null;
}

export function MainNav({ session }: { session: SessionView }) {
  const { path } = useLocation();
  const watchLink = useWatchLink(session);
  const toReview = useReviewCount(session.roles.officer, path);
  const links: { href: string; label: string }[] = [{ href: '/', label: t('nav.home') }];
  if (session.roles.household) {
    links.push({ href: `/households/${session.roles.household.id}`, label: t('nav.myHousehold') });
  }
  if (isCaptain(session.roles)) {
    links.push({ href: '/tasks', label: t('nav.tasks') });
  } else if (session.roles.officer) {
    // The same phone list, every 班 with a 班 selector: the officers' follow-up of visits and unread circulars.
    links.push({ href: '/tasks', label: t('nav.follow') });
  }
  if (watchLink) {
    links.push({ href: watchLink, label: t('nav.watch') });
  }
  if (session.roles.officer || isCaptain(session.roles) || session.roles.volunteer || session.roles.welfareCommissioner) {
    links.push({ href: '/drills', label: t('nav.drills') });
  }
  if (session.roles.officer) {
    links.push(
      { href: '/circulars', label: t('nav.circulars') },
      { href: '/roster', label: t('nav.roster') },
      { href: '/roster/import', label: t('nav.import') },
      { href: '/passcodes', label: t('nav.passcodes') },
      { href: '/devices', label: t('nav.devices') },
    );
  }
  if (session.roles.officer || isCaptain(session.roles)) {
    links.push({ href: '/unregistered', label: t('nav.unregistered') });
  }
  if (session.roles.officer) {
    links.push({ href: '/help-desk', label: t('nav.helpDesk') });
  }
  if (session.roles.officer || isCaptain(session.roles)) {
    links.push({ href: '/readiness', label: t('nav.readiness') });
  }
  if (session.roles.officer) {
    links.push({ href: '/quakes', label: t('nav.quakes') });
  }
  links.push({ href: '/shelters', label: t('nav.shelters') });
  if (session.roles.officer) {
    links.push({ href: '/directory', label: t('nav.directory') });
    links.push({ href: '/directory/import', label: t('nav.directoryImport') });
    links.push({ href: '/referrals', label: t('nav.referrals') });
    links.push({ href: '/directory/review', label: toReview ? t('nav.directoryReviewCount', { count: toReview }) : t('nav.directoryReview') });
    links.push({ href: '/directory/history', label: t('nav.directoryHistory') });
  }
  // The local support directory's public search: for everyone.
  links.push({ href: '/help', label: t('nav.help') });
  const current = (href: string) =>
    path === href || ((href === '/circulars' || href === '/watch' || href === '/drills') && path.startsWith(`${href}/`));
  // On a phone the menu is folded behind one button (CSS shows the button only on narrow
  // screens), so a page starts with its content; it folds again whenever the page changes.
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [path]);
  return (
    <nav
      class={open ? 'main-nav open' : 'main-nav'}
      aria-label={t('nav.label')}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          setOpen(false);
          (event.currentTarget.querySelector('.menu-toggle') as HTMLButtonElement | null)?.focus();
        }
      }}
    >
      <button type="button" class="menu-toggle" aria-expanded={open} aria-controls="main-nav-list" onClick={() => setOpen(!open)} data-testid="menu-toggle">
        <span aria-hidden="true" class="menu-icon">{open ? '✕' : '☰'}</span> {t('nav.menu')}
      </button>
      <ul id="main-nav-list">
        {links.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={current(link.href) ? 'page' : undefined}>
              <Ruby text={link.label} />
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function LanguageSwitch() {
  const { language, switchLanguage } = useSession();
  // やさしい日本語 is a choice of its own: switching to it and back keeps it (saved on the person).
  const options: Language[] = ['ja', 'ja-easy', 'en'];
  const active: Language = language;
  return (
    <div class="language-switch" role="group" aria-label={t('languages.switch')}>
      {options.map((option) => (
        <button
          key={option}
          type="button"
          class={option === active ? 'lang active' : 'lang'}
          lang={option === 'en' ? 'en' : 'ja'}
          aria-pressed={option === active}
          onClick={() => {
            if (option !== active) switchLanguage(option);
          }}
        >
          {t(`languages.${option}`)}
        </button>
      ))}
    </div>
  );
}
