import type { Catalog } from '../../src/catalog/index.js';
import type { Paper, Term } from '../../src/catalog/paper.js';
import { makePaper } from '../helpers/papers.js';

const T = {
  seg: { en: 'Segmentation', zh: '分割' },
  det: { en: 'Detection', zh: '检测' },
  cls: { en: 'Classification', zh: '分类' },
  lung: { en: 'Lung', zh: '肺' },
  brain: { en: 'Brain', zh: '脑' },
  breast: { en: 'Breast', zh: '乳腺' },
  retina: { en: 'Retina', zh: '视网膜' },
  skin: { en: 'Skin', zh: '皮肤' },
  prostate: { en: 'Prostate', zh: '前列腺' },
  liver: { en: 'Liver', zh: '肝脏' },
  colon: { en: 'Colon', zh: '结肠' },
  lymph: { en: 'Lymph Node', zh: '淋巴结' },
  heart: { en: 'Heart', zh: '心脏' },
  fetus: { en: 'Fetus', zh: '胎儿' },
} satisfies Record<string, Term>;

function paper(
  id: string,
  title: string,
  year: number,
  venue: string,
  technique: string,
  modality: string | null,
  region: Term | null,
  tasks: Term[],
  url = `https://example.org/papers/${id}`,
): Paper {
  return makePaper(id, {
    title,
    url,
    year,
    venue,
    techniques: [technique],
    modalities: modality ? [modality] : [],
    regions: region ? [region] : [],
    tasks,
    datasets: [],
    authors: [],
    sources: ['test/reading/catalog.ts'],
  });
}

/**
 * Twenty-two papers from the medical-imaging list, chosen so that several clusters hold near-copies
 * (three lung CT detectors, three brain MRI segmenters, two liver CT segmenters): a picker that
 * ignores diversity would put them side by side.
 */
export const readingCatalog: Catalog = {
  papers: [
    paper('deeplung-2018', 'DeepLung: Deep 3D Dual Path Nets for Automated Pulmonary Nodule Detection and Classification', 2018, 'IEEE-WACV', '3D-CNN', 'CT', T.lung, [T.det]),
    paper('multi-view-convnets-pulmonary-nodule-2016', 'Pulmonary Nodule Detection in CT Images: False Positive Reduction Using Multi-View Convolutional Networks', 2016, 'IEEE-TMI', 'CNN', 'CT', T.lung, [T.det]),
    paper('3d-convnets-online-sample-filtering-2017', 'Automated Pulmonary Nodule Detection via 3D ConvNets with Online Sample Filtering and Hybrid-Loss Residual Learning', 2017, 'MICCAI', '3D-CNN', 'CT', T.lung, [T.det]),
    paper('lung-pattern-classification-ild-2016', 'Lung Pattern Classification for Interstitial Lung Diseases Using a Deep Convolutional Neural Network', 2016, 'IEEE-TMI', 'CNN', 'CT', T.lung, [T.cls]),
    paper('brain-tumor-segmentation-dnn-2017', 'Brain Tumor Segmentation with Deep Neural Networks', 2017, 'MedIA', 'CNN', 'MRI', T.brain, [T.seg]),
    paper('deepmedic-2017', 'Efficient Multi-Scale 3D CNN with Fully Connected CRF for Accurate Brain Lesion Segmentation', 2017, 'MedIA', '3D-CNN', 'MRI', T.brain, [T.seg]),
    paper('mr-brain-segmentation-cnn-2016', 'Automatic Segmentation of MR Brain Images with a Convolutional Neural Network', 2016, 'IEEE-TMI', 'CNN', 'MRI', T.brain, [T.seg]),
    paper('alzheimer-classification-mri-2017', "Deep Learning for Alzheimer's Disease Classification from Structural MRI", 2017, 'arXiv', 'CNN', 'MRI', T.brain, [T.cls]),
    paper('adversarial-deep-structured-nets-2018', 'Adversarial Deep Structured Nets for Mass Segmentation from Mammograms', 2018, 'ISBI', 'GAN', 'MG', T.breast, [T.seg]),
    paper('mammographic-lesion-detection-2017', 'Large Scale Deep Learning for Computer Aided Detection of Mammographic Lesions', 2017, 'MedIA', 'CNN', 'MG', T.breast, [T.det]),
    paper('deep-mil-whole-mammogram-2017', 'Deep Multi-Instance Networks with Sparse Label Assignment for Whole Mammogram Classification', 2017, 'MICCAI', 'CNN', 'MG', T.breast, [T.cls]),
    paper('diabetic-retinopathy-fundus-2016', 'Development and Validation of a Deep Learning Algorithm for Detection of Diabetic Retinopathy in Retinal Fundus Photographs', 2016, 'JAMA', 'CNN', 'Fundus', T.retina, [T.cls]),
    paper('driu-retinal-image-understanding-2016', 'Deep Retinal Image Understanding', 2016, 'MICCAI', 'CNN', 'Fundus', T.retina, [T.seg]),
    paper('dermatologist-level-skin-cancer-2017', 'Dermatologist-Level Classification of Skin Cancer with Deep Neural Networks', 2017, 'Nature', 'CNN', 'Dermoscopy', T.skin, [T.cls]),
    paper('v-net-2016', 'V-Net: Fully Convolutional Neural Networks for Volumetric Medical Image Segmentation', 2016, '3DV', '3D-CNN', 'MRI', T.prostate, [T.seg]),
    paper('cascaded-fcn-liver-2016', 'Automatic Liver and Lesion Segmentation in CT Using Cascaded Fully Convolutional Neural Networks and 3D Conditional Random Fields', 2016, 'MICCAI', 'FCN', 'CT', T.liver, [T.seg]),
    paper('h-denseunet-2018', 'H-DenseUNet: Hybrid Densely Connected UNet for Liver and Tumor Segmentation from CT Volumes', 2018, 'IEEE-TMI', 'U-Net', 'CT', T.liver, [T.seg]),
    paper('nuclei-colon-histology-2016', 'Locality Sensitive Deep Learning for Detection and Classification of Nuclei in Routine Colon Cancer Histology Images', 2016, 'IEEE-TMI', 'CNN', 'H&E', T.colon, [T.det, T.cls]),
    paper('gigapixel-metastases-2017', 'Detecting Cancer Metastases on Gigapixel Pathology Images', 2017, 'arXiv', 'CNN', 'H&E', T.lymph, [T.det]),
    paper('cardiac-mr-fcn-2016', 'A Fully Convolutional Neural Network for Cardiac Segmentation in Short-Axis MRI', 2016, 'arXiv', 'FCN', 'MRI', T.heart, [T.seg]),
    paper('fetal-standard-plane-2015', 'Standard Plane Localization in Fetal Ultrasound via Domain Transferred Deep Neural Networks', 2015, 'IEEE-JBHI', 'CNN', 'US', T.fetus, [T.det]),
    paper('u-net-2015', 'U-Net: Convolutional Networks for Biomedical Image Segmentation', 2015, 'MICCAI', 'U-Net', null, null, [T.seg], ''),
  ],
};
