import { describe, expect, it } from 'vitest';
import { formatIdentifier, parseIdentifier } from '../../src/catalog/sources/identifiers.js';

describe('parseIdentifier', () => {
  it.each([
    ['2401.01234', { kind: 'arxiv', id: '2401.01234' }],
    ['2401.01234v2', { kind: 'arxiv', id: '2401.01234', version: 2 }],
    ['0704.0001', { kind: 'arxiv', id: '0704.0001' }],
    ['arXiv:2401.01234', { kind: 'arxiv', id: '2401.01234' }],
    ['arxiv: cs/0101001v3', { kind: 'arxiv', id: 'cs/0101001', version: 3 }],
    ['math.GT/0309136', { kind: 'arxiv', id: 'math.GT/0309136' }],
    ['astro-ph/0601001', { kind: 'arxiv', id: 'astro-ph/0601001' }],
    ['https://arxiv.org/abs/2401.01234v2', { kind: 'arxiv', id: '2401.01234', version: 2 }],
    ['https://arxiv.org/pdf/2401.01234v1.pdf', { kind: 'arxiv', id: '2401.01234', version: 1 }],
    ['http://export.arxiv.org/abs/cond-mat/0412498', { kind: 'arxiv', id: 'cond-mat/0412498' }],
    ['10.48550/arXiv.2401.01234', { kind: 'arxiv', id: '2401.01234' }],
    ['10.7554/eLife.01567', { kind: 'doi', doi: '10.7554/elife.01567' }],
    ['doi:10.1109/TMI.2016.2528162', { kind: 'doi', doi: '10.1109/tmi.2016.2528162' }],
    ['https://doi.org/10.7554/eLife.01567', { kind: 'doi', doi: '10.7554/elife.01567' }],
    ['https://dx.doi.org/10.1002%2Fmp.12345', { kind: 'doi', doi: '10.1002/mp.12345' }],
    ['PMID:24520159', { kind: 'pmid', pmid: '24520159' }],
    ['24520159', { kind: 'pmid', pmid: '24520159' }],
    ['https://pubmed.ncbi.nlm.nih.gov/24520159/', { kind: 'pmid', pmid: '24520159' }],
    ['https://www.ncbi.nlm.nih.gov/pubmed/24520159', { kind: 'pmid', pmid: '24520159' }],
    ['PMC7462063', { kind: 'pmcid', pmcid: 'PMC7462063' }],
    ['https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7462063/', { kind: 'pmcid', pmcid: 'PMC7462063' }],
    ['https://pmc.ncbi.nlm.nih.gov/articles/PMC7462063/', { kind: 'pmcid', pmcid: 'PMC7462063' }],
  ])('reads %s', (text, expected) => {
    expect(parseIdentifier(text)).toEqual(expected);
  });

  it.each(['', 'gan mri', '2413.01234', '10.12/x', 'https://example.org/abs/2401.01234', 'javascript:alert(1)', 'cs/01x1001', '1234567890'])(
    'refuses %j',
    (text) => {
      expect(parseIdentifier(text)).toBeNull();
    },
  );

  it('writes identifiers back in the form people know', () => {
    expect(formatIdentifier(parseIdentifier('2401.01234v2')!)).toBe('arXiv:2401.01234v2');
    expect(formatIdentifier(parseIdentifier('PMID:1')!)).toBe('PMID 1');
  });
});
