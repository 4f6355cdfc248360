import { describe, expect, it } from 'vitest';
import { mentionsOf, sanitizeRemoteHtml } from './comment-text';

describe('mentionsOf', () => {
  it('finds @name and @name@host once each, not e-mail addresses or URLs', () => {
    expect(mentionsOf('Hi @alice and @Bob@video.example.org, @alice again. mail me: carol@example.org or see https://x.org/@dave')).toEqual([
      { name: 'alice', host: null },
      { name: 'Bob', host: 'video.example.org' },
    ]);
  });

  it('keeps a port, drops trailing dots, stops at 20', () => {
    expect(mentionsOf('(@eve@127.0.0.1:9000.)')).toEqual([{ name: 'eve', host: '127.0.0.1:9000' }]);
    expect(mentionsOf(Array.from({ length: 30 }, (_, i) => `@u${i}`).join(' '))).toHaveLength(20);
  });
});

describe('sanitizeRemoteHtml', () => {
  it("keeps Mastodon's paragraphs, breaks and mention links", () => {
    const html = '<p><span class="h-card"><a href="https://mamot.fr/@retiolus" class="u-url mention">@<span>retiolus</span></a></span> hello<br>world</p>';
    expect(sanitizeRemoteHtml(html)).toBe(
      '<p><span class="h-card"><a href="https://mamot.fr/@retiolus" class="u-url mention" rel="nofollow noopener noreferrer">@<span>retiolus</span></a></span> hello<br />world</p>',
    );
  });

  it.each([
    ['<script>alert(1)</script>ok', 'ok'],
    ['<img src=x onerror="alert(1)">ok', 'ok'],
    ['<a href="javascript:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'],
    ['<a href=" JaVaScRiPt:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'],
    ['<svg onload="alert(1)"><circle r="1"/></svg>ok', 'ok'],
    ['<p onclick="alert(1)" style="color:red">ok</p>', '<p>ok</p>'],
    ['<iframe src="https://evil.example"></iframe>ok', 'ok'],
    ['<style>body{display:none}</style>ok', 'ok'],
    ['<a href="//evil.example/x">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'],
  ])('makes %s inert', (input, output) => {
    expect(sanitizeRemoteHtml(input)).toBe(output);
  });
});
