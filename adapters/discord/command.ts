import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import { MAX_INPUT_LENGTH } from '../../src/text.js';
import { COMMAND_NAME, QUERY_OPTION } from './interactions.js';

/**
 * The one slash command, as registered with Discord. Usable in servers and in DMs with the bot;
 * installed to servers only (no user installs).
 */
const PAPER_COMMAND = {
  type: ApplicationCommandType.ChatInput,
  name: COMMAND_NAME,
  description: 'Find papers on deep learning for medical image analysis; `help` lists everything',
  description_localizations: { 'zh-CN': '查找医学图像分析深度学习论文；输入 help 查看全部用法' },
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: QUERY_OPTION,
      description: 'What to look for, e.g. "gan mri", "肺结节", "show <id>", "help"',
      description_localizations: { 'zh-CN': '要找的内容，例如“肺结节”、“gan mri”、“show <编号>”、“help”' },
      required: true,
      autocomplete: true,
      max_length: MAX_INPUT_LENGTH,
    },
  ],
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
};

export const COMMANDS = [PAPER_COMMAND];
