import { describe, expect, it } from 'vitest';
import { digestText } from '../../src/capabilities/digest/messages.js';
import { feedText } from '../../src/capabilities/feeds/messages.js';
import { followText } from '../../src/capabilities/follow/messages.js';

describe('counted words in the digest, follow and feed messages', () => {
  it('GIVEN one THEN the singular, GIVEN several or none THEN the plural, in English; Chinese counts with its measure word', () => {
    expect(digestText.text('en', 'header', { count: 1, since: '2026-11-23', shown: null })).toBe("1 new paper on this channel's topics since 2026-11-23.");
    expect(digestText.text('en', 'header', { count: 12, since: '2026-11-23', shown: 10 })).toBe("12 new papers on this channel's topics since 2026-11-23; the first 10 below.");
    expect(digestText.text('en', 'posted', { count: 1 })).toBe('Posted a digest of 1 paper to this channel.');
    expect(digestText.text('en', 'lastDigest', { local: '2026-11-30 09:00', count: 0 })).toBe('Last digest: 2026-11-30 09:00 with 0 papers.');
    expect(digestText.text('en', 'morePapers', { count: 1 })).toBe('1 more paper from the digest.');
    expect(followText.text('en', 'matchesNow', { count: 1 })).toBe('Today 1 paper in the catalog matches it.');
    expect(followText.text('en', 'matchesNow', { count: 3 })).toBe('Today 3 papers in the catalog match it.');
    expect(followText.text('en', 'followed', { query: 'lung', count: 1 })).toContain('(1 topic)');
    expect(feedText.text('en', 'counts', { papersAdded: 1, itemsSkipped: 2 })).toBe('1 new paper brought, 2 items skipped (no title or link)');
    expect(digestText.text('zh', 'posted', { count: 1 })).toBe('已在本频道发布摘要，共 1 篇。');
    for (const text of [digestText.text('en', 'nextHolds', { local: 'x', timezone: 'UTC', count: 2 }), feedText.text('en', 'counts', { papersAdded: 0, itemsSkipped: 1 })]) {
      expect(text).not.toContain('(s)');
    }
  });
});
