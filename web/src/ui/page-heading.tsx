import type { ComponentChildren } from 'preact';

export function PageHeading({ children }: { children: ComponentChildren }) {
  return <h1 tabIndex={-1} class="page-title">{children}</h1>;
}
