import { describe, expect, it } from 'vitest';
import { read } from './files.js';

/** Each English document and its Simplified Chinese twin. */
const PAIRS = [
  ['README.md', 'README.zh-CN.md'],
  ['adapters/slack/README.md', 'adapters/slack/README.zh-CN.md'],
  ['adapters/discord/README.md', 'adapters/discord/README.zh-CN.md'],
] as const;

/** Text inside backticks, single or fenced: where commands and file names are written. */
function codeOf(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  const inline = [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...fenced, ...inline];
}

/** A link to the other language's twin counts as a link to the same document. */
const sameDocument = (path: string) => path.replace(/\.zh-CN\.md$/, '.md');

/** The commands, settings and files a document names: what both languages must agree on. */
function namedThings(markdown: string): { commands: Set<string>; settings: Set<string>; files: Set<string> } {
  const code = codeOf(markdown).join('\n');
  const commands = new Set<string>();
  for (const m of code.matchAll(/(?<![\w/])(npm (?:run )?[a-z][\w:-]*|npx paperbot [a-z][\w-]*|systemctl [a-z]+|docker (?:compose|build))/g)) commands.add(m[1]);
  // Chat commands as examples: a code span that starts with one, e.g. `/paper spotlight on monday`.
  for (const span of codeOf(markdown)) if (/^\/paper [a-z]+/.test(span)) commands.add(span.split(' ').slice(0, 2).join(' '));
  const settings = new Set([...markdown.matchAll(/\b([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)*_(?:[A-Z0-9]+\b|\*))/g)].map((m) => m[1]));
  const files = new Set<string>();
  for (const [, target] of markdown.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
    if (!/^(https?:|mailto:)/.test(target)) files.add(sameDocument(target));
  }
  for (const span of codeOf(markdown)) {
    for (const [path] of span.matchAll(/(?<![\w/.-])(?:[\w.-]+\/)+[\w.*<>-]*|(?<![\w/.-])[\w-]*\.(?:md|yml|yaml|ts|json|mjs|service|example|db|bib|env)\b/g)) {
      if (!/^(https?:|\/\/)/.test(path)) files.add(sameDocument(path.replace(/\.+$/, '')));
    }
  }
  return { commands, settings, files };
}

describe('the English and Simplified Chinese documents', () => {
  for (const [english, chinese] of PAIRS) {
    describe(`${english} and ${chinese}`, () => {
      const en = read(english);
      const zh = read(chinese);

      it('link to each other from their first line', () => {
        const base = (path: string) => path.split('/').at(-1);
        expect(en.split('\n')[0]).toContain(`](${base(chinese)})`);
        expect(zh.split('\n')[0]).toContain(`](${base(english)})`);
      });

      it('name the same commands, settings and files', () => {
        const a = namedThings(en);
        const b = namedThings(zh);
        expect(a.commands.size).toBeGreaterThan(0);
        expect([...b.commands].sort()).toEqual([...a.commands].sort());
        expect([...b.settings].sort()).toEqual([...a.settings].sort());
        expect([...b.files].sort()).toEqual([...a.files].sort());
      });

      it('the Chinese one is written in Chinese', () => {
        const han = zh.match(/\p{Script=Han}/gu)?.length ?? 0;
        expect(han).toBeGreaterThan(200);
      });
    });
  }
});
