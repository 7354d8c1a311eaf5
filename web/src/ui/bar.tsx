export function percent(part: number, total: number): number {
  return total > 0 ? Math.round((part / total) * 100) : 0;
}

/** A horizontal bar; the numbers are always shown next to it as text. */
export function Bar({ value, max, tone }: { value: number; max: number; tone?: 'primary' | 'answer' }) {
  const width = max > 0 ? Math.min(100, Math.max(0, (value / max) * 100)) : 0;
  return (
    <span class={`bar ${tone === 'answer' ? 'bar-answer' : ''}`} aria-hidden="true">
      <span class="bar-fill" style={{ width: `${width}%` }} />
    </span>
  );
}
