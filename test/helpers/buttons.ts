import { buttonId, parseButtonId, type ButtonIds, type DecodedClick } from '../../src/actions.js';

/**
 * Button ids for rendering tests, with long commands kept in a Map rather than the database: the
 * same id format as the codec (src/actions.ts), read back synchronously. The database's side is
 * tested in test/core/actions.test.ts.
 */
export function memoryButtons(maxLength: number): ButtonIds & { decode(id: string): DecodedClick } {
  const kept = new Map<string, string>();
  return {
    encode: (action, slot) =>
      buttonId(action, slot, maxLength, (command) => {
        const key = String(kept.size);
        kept.set(key, command);
        return key;
      }),
    decode(id) {
      const parsed = parseButtonId(id);
      if (!parsed || 'command' in parsed) return parsed;
      const command = kept.get(parsed.key);
      return command === undefined ? 'expired' : { command, effect: parsed.effect };
    },
  };
}
