import type { ComponentChildren } from 'preact';
import { Ruby } from './ruby.js';

/** A page's h1; a catalogue string gets its furigana in やさしい日本語. */
export function PageHeading({ children }: { children: ComponentChildren }) {
  return <h1 tabIndex={-1} class="page-title">{typeof children === 'string' ? <Ruby text={children} /> : children}</h1>;
}
