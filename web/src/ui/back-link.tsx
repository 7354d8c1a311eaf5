import { Link } from '../lib/router.js';

/** The "back to …" link above a page's heading. */
export function BackLink({ href, children, class: className }: { href: string; children: string; class?: string }) {
  return (
    <p class={className}>
      <Link href={href}>{children}</Link>
    </p>
  );
}
