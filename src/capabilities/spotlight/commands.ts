import { UserError } from '../../errors.js';
import { hasHan } from '../../i18n/index.js';
import type { Command } from '../../services.js';
import { spotlightText } from './messages.js';
import { postNowHere, showPreview, showStatus, turnOff, turnOn } from './service.js';

type Sub = 'on' | 'off' | 'status' | 'preview' | 'now';

const WORDS: Record<string, Sub> = {
  on: 'on', enable: 'on', start: 'on', subscribe: 'on', 开启: 'on', 打开: 'on', 订阅: 'on', 开: 'on',
  off: 'off', disable: 'off', stop: 'off', unsubscribe: 'off', 关闭: 'off', 取消: 'off', 停止: 'off', 关: 'off',
  status: 'status', 状态: 'status',
  preview: 'preview', next: 'preview', 预览: 'preview', 下一篇: 'preview',
  now: 'now', post: 'now', 立即: 'now', 现在: 'now', 马上: 'now', 立即发布: 'now',
};
// Longest first, so `立即发布` wins over `立即` when Chinese is typed without a space.
const HAN_WORDS = Object.keys(WORDS)
  .filter(hasHan)
  .sort((a, b) => b.length - a.length);

function splitSub(args: string): { sub: Sub | null; word: string; rest: string } {
  const trimmed = args.trim();
  if (!trimmed) return { sub: 'status', word: '', rest: '' };
  const space = trimmed.indexOf(' ');
  let word = space < 0 ? trimmed : trimmed.slice(0, space);
  let rest = space < 0 ? '' : trimmed.slice(space + 1).trim();
  if (!(word.toLowerCase() in WORDS)) {
    const prefix = HAN_WORDS.find((w) => word.startsWith(w));
    if (prefix) {
      rest = `${word.slice(prefix.length)} ${rest}`.trim();
      word = prefix;
    }
  }
  return { sub: WORDS[word.toLowerCase()] ?? null, word, rest };
}

export const spotlightCommand: Command = {
  name: 'spotlight',
  aliases: ['每周论文', '论文推荐'],
  summary: spotlightText.both('summary'),
  examples: ['spotlight on monday 09:00 Europe/Berlin', 'spotlight on 周五 16:30 Asia/Shanghai', 'spotlight status', 'spotlight preview'],
  async run(input) {
    const { sub, word, rest } = splitSub(input.args);
    switch (sub) {
      case 'on':
        return turnOn(input, rest);
      case 'off':
        return turnOff(input);
      case 'status':
        return showStatus(input);
      case 'preview':
        return showPreview(input);
      case 'now':
        return postNowHere(input);
      default:
        throw new UserError(
          'unknown-spotlight-command',
          spotlightText.both('unknownSubcommand', { word }),
          ['spotlight on', 'spotlight off', 'spotlight status', 'spotlight preview', 'spotlight now'],
        );
    }
  },
};
