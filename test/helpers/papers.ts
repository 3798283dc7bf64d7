import type { Paper } from '../../src/catalog/paper.js';

/**
 * A made-up paper with every field filled (a 2018 MICCAI CNN brain-MRI segmentation paper); a test
 * overrides only the fields it is about.
 */
export function makePaper(id: string, fields: Partial<Paper> = {}): Paper {
  return {
    id,
    title: `Paper ${id}`,
    url: `https://arxiv.org/abs/${id}`,
    year: 2018,
    venue: 'MICCAI',
    techniques: ['CNN'],
    modalities: ['MRI'],
    regions: [{ en: 'Brain', zh: '脑' }],
    tasks: [{ en: 'Segmentation', zh: '分割' }],
    datasets: [{ name: 'BraTS', url: '' }],
    authors: ['Doe, Jane'],
    sources: ['test'],
    ...fields,
  };
}
