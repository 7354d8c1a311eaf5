import type { ComponentChildren } from 'preact';
import { t } from '../lib/i18n.js';

/** The filter bar above a searchable list: submitting it (Enter or its button) runs onSearch. */
export function SearchForm({ onSearch, children }: { onSearch: () => void; children: ComponentChildren }) {
  return (
    <form
      class="filters"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch();
      }}
    >
      {children}
    </form>
  );
}

/** Previous / next under a list paged by offset. */
export function Pager({ offset, pageSize, total, onOffset }: { offset: number; pageSize: number; total: number; onOffset: (offset: number) => void }) {
  return (
    <nav class="pager" aria-label={t('households.paging')}>
      <button type="button" class="secondary" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
        {t('households.previous')}
      </button>
      <button type="button" class="secondary" disabled={offset + pageSize >= total} onClick={() => onOffset(offset + pageSize)}>
        {t('households.next')}
      </button>
    </nav>
  );
}
