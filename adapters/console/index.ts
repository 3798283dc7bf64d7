import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Adapter, ChannelTarget, MessageRef } from '../../src/adapter.js';
import type { Bot } from '../../src/bot.js';
import type { Reply } from '../../src/reply.js';
import { renderConsole } from './render.js';

const CONSOLE_CHANNEL = 'console';

export type ConsoleAdapterOptions = {
  bot: Bot;
  input: Readable;
  output: { write(text: string): unknown };
  /** Show a prompt and a greeting: true when a person is at a terminal. */
  interactive: boolean;
  userId?: string;
};

/**
 * The Shell adapter: one command per line, replies as text. The person at the console is the
 * local operator and may change the channel's spotlight and polls. Reads until end of input.
 */
export class ConsoleAdapter implements Adapter {
  readonly platform = 'console' as const;
  private nextMessageId = 1;
  private closed = false;
  private done: Promise<void> | null = null;

  constructor(private readonly options: ConsoleAdapterOptions) {}

  async start(): Promise<void> {
    this.done = this.readLoop();
  }

  /** Resolves when input ends. */
  async finished(): Promise<void> {
    await this.done;
  }

  async stop(): Promise<void> {
    this.closed = true;
  }

  /** Runs one typed line and returns the reply, exactly as a line read from the input would. */
  async say(line: string, channelId = CONSOLE_CHANNEL, userId = this.options.userId ?? 'operator'): Promise<Reply> {
    return this.options.bot.handle({
      text: line,
      platform: 'console',
      channelId,
      userId,
      userName: userId,
      canManageChannel: true,
      trigger: 'command',
    });
  }

  async post({ workspaceId, channelId }: ChannelTarget, reply: Reply): Promise<MessageRef> {
    const messageId = String(this.nextMessageId++);
    this.write(`[#${channelId} message ${messageId}]\n${renderConsole(reply)}\n`);
    return { platform: 'console', workspaceId, channelId, messageId };
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    this.write(`[#${ref.channelId} message ${ref.messageId}, updated]\n${renderConsole(reply)}\n`);
  }

  private write(text: string): void {
    if (!this.closed) this.options.output.write(text);
  }

  private async readLoop(): Promise<void> {
    const { input, interactive } = this.options;
    const rl = createInterface({ input, terminal: false });
    const prompt = () => interactive && this.write('paper> ');
    if (interactive) this.write('paperbot console. Type /paper help for usage, Ctrl-D to quit.\n');
    prompt();
    for await (const raw of rl) {
      if (this.closed) break;
      const line = raw.trim();
      if (line) {
        const reply = await this.say(line);
        this.write(renderConsole(reply) + '\n\n');
      }
      prompt();
    }
  }
}
