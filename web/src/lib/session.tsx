import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionView } from '../../../server/src/contracts/auth.js';
import type { Language } from './api.js';

export interface SessionContextValue {
  session: SessionView | null;
  language: Language;
  /** Call with the SessionView from login / join; null after logout. */
  setSession: (session: SessionView | null) => void;
  logout: () => Promise<void>;
  switchLanguage: (language: Language) => void;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside <SessionContext.Provider>');
  return value;
}

/** The session for pages that are only rendered when logged in. */
export function useRequiredSession(): SessionView {
  const { session } = useSession();
  if (!session) throw new Error('page rendered without a session');
  return session;
}

export type Roles = SessionView['roles'];

export function isCaptain(roles: Roles): boolean {
  return roles.captainOf.length > 0;
}
