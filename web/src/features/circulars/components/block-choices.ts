import { api } from '../../../lib/api.js';
import { useAsync } from '../../../lib/hooks.js';
import { navigate } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';

/** Blocks this person can pick: all of them for officers, their own for captains. */
export function useBlockChoices(): { id: string; name: string }[] {
  const session = useRequiredSession();
  const blocks = useAsync(() => (session.roles.officer ? api.blocks() : Promise.resolve({ items: [] })), [session.roles.officer]);
  return session.roles.officer ? (blocks.data?.items ?? []).map((b) => ({ id: b.id, name: b.name })) : session.roles.captainOf;
}

/** Shows a circular's page (unread list or print sheet) for the picked block; '' shows every block. Replaces the entry so Back leaves the page. */
export function showBlock(circularId: string, page: 'unread' | 'print'): (blockId: string) => void {
  return (blockId) => navigate(`/circulars/${circularId}/${page}${blockId ? `?blockId=${encodeURIComponent(blockId)}` : ''}`, { replace: true });
}
