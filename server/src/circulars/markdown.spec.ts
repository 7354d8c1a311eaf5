import { describe, expect, it } from 'vitest';
import { plainText, renderMarkdown } from './markdown.js';

describe('circular Markdown', () => {
  it('keeps formatting and links', () => {
    const html = renderMarkdown('**ごみ**の日が変わります。\n\n- 燃えるごみ: 月・木\n- [市のページ](https://www.city.kyotanabe.lg.jp/)');
    expect(html).toContain('<strong>ごみ</strong>');
    expect(html).toContain('<li>燃えるごみ: 月・木</li>');
    expect(html).toContain('<a href="https://www.city.kyotanabe.lg.jp/" rel="noopener noreferrer" target="_blank">');
  });

  it('renders script, event handlers and javascript: links harmless', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3))\n\n<a href="JaVaScRiPt:alert(4)">x</a>\n\n<iframe src="https://evil.example"></iframe>',
    );
    expect(html).not.toMatch(/<script|onerror|javascript:|<iframe|<img/i);
  });

  it('gives speakers plain text', () => {
    expect(plainText(renderMarkdown('# 防災訓練\n\n**11月30日** 9時に集合。\n\n- 持ち物: 水'))).toBe('防災訓練\n11月30日 9時に集合。\n持ち物: 水');
  });
});
