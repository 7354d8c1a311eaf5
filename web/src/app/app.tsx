import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionView } from '../../../server/src/contracts/auth.js';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type Language } from '../lib/api.js';
import { ErrorAlert, Loading } from '../ui/alerts.js';
import { applyLanguage, currentLanguage, onLanguageChanged, t } from '../lib/i18n.js';
import { navigate } from '../lib/router.js';
import { setTimeZone } from '../lib/time-zone.js';
import { SessionContext, type SessionContextValue } from '../lib/session.js';
import { connectSocket, disconnectSocket, useSocketEvent } from '../lib/socket.js';
import { Routes } from './routes.js';
import { Layout } from './layout.js';

export function App() {
  const [session, setSessionState] = useState<SessionView | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [language, setLanguage] = useState<Language>(currentLanguage());
  const sessionRef = useRef(session);
  sessionRef.current = session;

  useEffect(() => onLanguageChanged(setLanguage), []);

  const setSession = useCallback((next: SessionView | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setTimeZone(next?.association.timeZone);
    setSessionState(next);
    if (next) {
      applyLanguage(next.person.preferredLanguage);
      // Reconnect so the socket authenticates with the (possibly new) session cookie.
      disconnectSocket();
      connectSocket();
    } else {
      disconnectSocket();
    }
  }, []);

  const loadSession = useCallback(() => {
    setLoadError(undefined);
    api
      .session()
      // null: nobody is logged in (an answer, not an error).
      .then((value) => setSession(value))
      // An instance not yet updated in a rolling deploy still answers nobody with a 401: the
      // login page, not an error screen (keep for a release after null answers shipped).
      .catch((error: unknown) => (error instanceof ApiError && error.status === 401 ? setSession(null) : setLoadError(error)));
  }, [setSession]);

  useEffect(loadSession, [loadSession]);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // The session may already be gone; log out locally either way.
    }
    setSession(null);
    navigate('/login');
  }, [setSession]);

  // Saves go one after another, so quick switches (ja → やさしい日本語 → en) end saved as the last.
  const saving = useRef<Promise<unknown>>(Promise.resolve());
  const switchLanguage = useCallback(
    (next: Language) => {
      applyLanguage(next);
      if (sessionRef.current) {
        saving.current = saving.current
          .then(() => api.updateMe(next))
          .then((updated) => {
            if (currentLanguage() !== next) return;
            setCsrfToken(updated.csrfToken);
            setSessionState(updated);
          })
          .catch((error: unknown) => console.warn('could not save the language', error));
      }
    },
    [],
  );

  useSocketEvent('session:ended', () => {
    setSession(null);
    navigate('/login');
  });

  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (!sessionRef.current) return;
      setSession(null);
      const here = window.location.pathname + window.location.search;
      navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [setSession]);

  const context = useMemo<SessionContextValue>(
    () => ({ session: session ?? null, language, setSession, logout, switchLanguage }),
    [session, language, setSession, logout, switchLanguage],
  );

  return (
    <SessionContext.Provider value={context}>
      <Layout>
        {loadError ? (
          <div class="stack">
            <ErrorAlert error={loadError} />
            <button type="button" onClick={loadSession}>
              {t('common.retry')}
            </button>
          </div>
        ) : session === undefined ? (
          <Loading />
        ) : (
          <Routes />
        )}
      </Layout>
    </SessionContext.Provider>
  );
}
