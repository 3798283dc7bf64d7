import { describe, expect, it } from 'vitest';
import { parseQuery, type KnownValue } from '../../src/search/query.js';

/** A catalog that knows two venues of several words and one author. */
const known: KnownValue = (field, value) =>
  (field === 'venue' && ['medical physics', 'medical image analysis'].includes(value)) || (field === 'author' && value === 'hao chen');

describe('reading filter values', () => {
  it('GIVEN an unquoted value followed by words that complete a known value THEN the value takes them', () => {
    expect(parseQuery('venue:medical physics ct', known)).toEqual({
      text: 'ct',
      filters: [{ field: 'venue', raw: 'venue:medical physics', value: 'medical physics' }],
    });
  });

  it('GIVEN a known name of three words THEN all of them are taken, and only them', () => {
    expect(parseQuery('venue:medical image analysis gan', known).filters[0].raw).toBe('venue:medical image analysis');
  });

  it('GIVEN words that complete nothing known THEN they stay free text', () => {
    expect(parseQuery('venue:medical physics ct')).toEqual({ text: 'physics ct', filters: [{ field: 'venue', raw: 'venue:medical', value: 'medical' }] });
    expect(parseQuery('author:chen liver', known).text).toBe('liver');
  });

  it('GIVEN a filter after the value THEN it is read as its own filter, never swallowed', () => {
    const parsed = parseQuery('author:hao chen year:2016 lung', known);
    expect(parsed.filters.map((f) => f.raw)).toEqual(['author:hao chen', 'year:2016']);
    expect(parsed.text).toBe('lung');
  });

  it('GIVEN a quoted value THEN the quotes decide where it ends', () => {
    expect(parseQuery('venue:"medical" physics', known)).toEqual({ text: 'physics', filters: [{ field: 'venue', raw: 'venue:"medical"', value: 'medical' }] });
  });

  it('GIVEN a title word ending in a colon THEN it stays text', () => {
    expect(parseQuery('DeepLung: dual path', known)).toEqual({ text: 'DeepLung: dual path', filters: [] });
  });
});
