import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Dockerfile instructions with their continuation lines joined, comments dropped. */
export function dockerInstructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** The sources of the build stage's COPY instructions (not those copied from another stage). */
export function copiedFromContext(text: string): string[] {
  return dockerInstructions(text)
    .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
    .flatMap((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1));
}

/** The argument list of a JSON-form instruction such as CMD ["node", "dist/adapters/cli/main.js", "start"]. */
export function execForm(text: string, op: string): string[] {
  const found = dockerInstructions(text).filter((i) => i.op === op).at(-1);
  if (!found) throw new Error(`no ${op} in the Dockerfile`);
  return JSON.parse(found.args) as string[];
}

/** `key=value` settings of a systemd unit (the last one wins, as in systemd for these keys). */
export function unitSettings(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) settings.set(m[1], m[2]);
  }
  return settings;
}
