import { localize } from '../../i18n.js';
import { reply } from '../../reply.js';
import type { Command } from '../../services.js';

/** `help` lists the commands it is given, so a new command shows up by being added to the list. */
export function helpCommand(list: () => Command[]): Command {
  return {
    name: 'help',
    aliases: ['帮助', '?', '--help', '-h'],
    summary: { en: 'This list', zh: '显示本帮助' },
    examples: ['help', '帮助'],
    run({ lang }) {
      const intro =
        lang === 'zh'
          ? [
              'paperbot 在一份医学图像分析深度学习论文清单中查找论文。中英文均可，中文无需空格。',
              '筛选条件：year:2016  year:2015-2017  since:2017  until:2016  venue:miccai  task:分割  modality:mri  region:肺  technique:gan  author:ronneberger  dataset:adni',
            ]
          : [
              'paperbot finds papers in a curated list of deep learning for medical image analysis. English and Chinese both work.',
              'Filters: year:2016  year:2015-2017  since:2017  until:2016  venue:miccai  task:segmentation  modality:mri  region:lung  technique:gan  author:ronneberger  dataset:adni',
            ];
      const cards = list().map((c) => ({
        title: c.name === 'search' ? '/paper <query>' : `/paper ${c.name}`,
        lines: [localize(c.summary, lang), ...c.examples.map((e) => `/paper ${e}`)],
      }));
      return reply('help', lang, {
        title: lang === 'zh' ? 'paperbot 用法' : 'paperbot usage',
        intro,
        cards,
        footer:
          lang === 'zh'
            ? '在命令前加 share 可把结果发到频道，例如 /paper share 肝脏分割'
            : 'Put share before a command to post its result for the channel: /paper share liver segmentation',
      });
    },
  };
}
