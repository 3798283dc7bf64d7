// PLACEHOLDER until the catalog importer lands: three hand-written records so the rest can run.
import type { Paper } from './paper.js';

export type Catalog = { papers: Paper[] };

export type CatalogOptions = { extraSources?: string[] };

const sample: Paper[] = [
  {
    id: 'u-net-convolutional-networks-for-biomedical-image-segmentation-2015',
    title: 'U-net: Convolutional networks for biomedical image segmentation',
    url: '', year: 2015, venue: 'MICCAI', techniques: ['U-Net'], modalities: [], regions: [],
    tasks: [{ en: 'Segmentation', zh: '分割' }], datasets: [],
    authors: ['Ronneberger, Olaf', 'Fischer, Philipp', 'Brox, Thomas'], sources: ['placeholder'],
  },
  {
    id: 'deeplung-2018', title: 'DeepLung: Deep 3D Dual Path Nets for Automated Pulmonary Nodule Detection and Classification',
    url: 'https://arxiv.org/abs/1801.09555', year: 2018, venue: 'IEEE-WACV', techniques: ['3D-CNN'], modalities: ['CT'],
    regions: [{ en: 'Lung', zh: '肺' }], tasks: [{ en: 'Classification', zh: '分类' }, { en: 'Detection', zh: '检测' }],
    datasets: [{ name: 'LUNA16', url: 'https://luna16.grand-challenge.org/' }], authors: [], sources: ['placeholder'],
  },
  {
    id: 'adversarial-deep-structured-nets-2018', title: 'Adversarial Deep Structured Nets for Mass Segmentation from Mammograms',
    url: 'https://arxiv.org/abs/1710.09288', year: 2018, venue: 'ISBI', techniques: ['GAN'], modalities: ['MG'],
    regions: [{ en: 'Breast Mass', zh: '乳腺肿块' }], tasks: [{ en: 'Segmentation', zh: '分割' }],
    datasets: [{ name: 'INbreast', url: '' }], authors: [], sources: ['placeholder'],
  },
];

export async function loadCatalog(_options: CatalogOptions = {}): Promise<Catalog> {
  return { papers: sample };
}
