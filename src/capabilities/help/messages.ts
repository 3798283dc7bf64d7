import { defineMessages } from '../../i18n/index.js';

const en = {
  summary: 'This list',
  about: 'paperbot finds papers in a curated list of deep learning for medical image analysis. English and Chinese both work.',
  filters:
    'Filters: year:2016  year:2015-2017  since:2017  until:2016  venue:miccai  task:segmentation  modality:mri  region:lung  technique:gan  author:ronneberger  dataset:adni',
  title: 'paperbot usage',
  footer: 'Put share before a command to post its result for the channel: /paper share liver segmentation',
};

const zh = {
  summary: '显示本帮助',
  about: 'paperbot 在一份医学图像分析深度学习论文清单中查找论文。中英文均可，中文无需空格。',
  filters:
    '筛选条件：year:2016  year:2015-2017  since:2017  until:2016  venue:miccai  task:分割  modality:mri  region:肺  technique:gan  author:ronneberger  dataset:adni',
  title: 'paperbot 用法',
  footer: '在命令前加 share 可把结果发到频道，例如 /paper share 肝脏分割',
} satisfies typeof en;

export const helpText = defineMessages({ en, zh });
