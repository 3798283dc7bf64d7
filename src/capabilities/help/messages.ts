import { defineMessages } from '../../i18n/index.js';

const en = {
  summary: 'This list',
  about: 'paperbot finds papers in a curated list of deep learning for medical image analysis. English and Chinese both work.',
  filters:
    'Filters: year:2016  year:2015-2017  since:2017  until:2016  venue:miccai  task:segmentation  modality:mri  region:lung  technique:gan  author:ronneberger  dataset:adni',
  operators:
    'Operators: -word or NOT word leaves out papers that mention it (segmentation -brain); a OR b, a | b finds either (microbleeds OR anomaly); "a phrase" in quotes must occur as written. Ask in a sentence if you like: is there work on knee osteoarthritis. Traditional Chinese works too.',
  title: 'paperbot usage',
  footer: 'Put share before a command to post its result for the channel: /paper share liver segmentation',
};

const zh = {
  summary: '显示本帮助',
  about: 'paperbot 在一份医学图像分析深度学习论文清单中查找论文。中英文均可，中文无需空格。',
  filters:
    '筛选条件：year:2016  year:2015-2017  since:2017  until:2016  venue:miccai  task:分割  modality:mri  region:肺  technique:gan  author:ronneberger  dataset:adni',
  operators:
    '运算符：-词 或 NOT 词 排除提到它的论文（分割 -大脑）；a OR b、a | b、a 或 b 查找任一（脑微出血 或 异常）；"引号中的短语" 须原样出现。也可以直接用句子提问，例如：我想找肝脏肿瘤的论文。繁体中文同样可用。',
  title: 'paperbot 用法',
  footer: '在命令前加 share 可把结果发到频道，例如 /paper share 肝脏分割',
} satisfies typeof en;

export const helpText = defineMessages({ en, zh });
