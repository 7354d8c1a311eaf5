import { Link } from '../lib/router.js';

/** The "back to …" link above a page's heading. */
export function BackLink({ href, children }: { href: string; children: string }) {
  return (
    <p>
      <Link href={href}>{children}</Link>
    </p>
  );
}
