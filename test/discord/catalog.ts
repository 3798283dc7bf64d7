import type { Catalog } from '../../src/catalog/index.js';
import { makePaper as paper } from '../helpers/papers.js';

/** Twelve segmentation papers: enough for three pages of five, whatever the ranking. */
export function segmentationCatalog(): Catalog {
  return {
    papers: Array.from({ length: 12 }, (_, i) =>
      paper(`seg-${i + 1}-2018`, { title: `Brain tumor segmentation with network ${i + 1}` }),
    ),
  };
}

const HOSTILE = '@everyone @here <@&123> <@42> **bold** [click](https://evil.example) ';

/** Records a careless or malicious source could hold: huge titles, mention syntax, bad links. */
export function hostileCatalog(): Catalog {
  return {
    papers: [
      paper('huge-title-2019', { title: `Segmentation ${HOSTILE}${'x'.repeat(10_000)}`, url: 'javascript:alert(1)' }),
      paper('mentions-2019', {
        title: `Segmentation ${HOSTILE}`,
        venue: '@here',
        techniques: ['<@&123>'],
        datasets: Array.from({ length: 50 }, (_, i) => ({ name: `@everyone dataset ${i} ${'d'.repeat(100)}`, url: `https://d.example/${i}` })),
        authors: Array.from({ length: 200 }, (_, i) => `<@${i}> Author`),
      }),
      paper(`long-id-${'i'.repeat(150)}-2019`, { title: `Segmentation ${'y'.repeat(300)}` }),
      ...Array.from({ length: 6 }, (_, i) => paper(`hostile-${i}-2019`, { title: `Segmentation ${HOSTILE}${'z'.repeat(3000)} ${i}` })),
    ],
  };
}
