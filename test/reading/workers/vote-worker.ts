// A second bot process for the concurrency test: opens the same database (the settings come as JSON:
// PAPERBOT_DB, and DATABASE_URL on PostgreSQL), says "ready", waits
// for a line on stdin so that every process starts voting together, then votes as many users
// through the dispatcher, in small concurrent batches. Prints a JSON summary of the reply kinds.
import { once } from 'node:events';
import { createPaperbot } from '../../../src/app.js';
import { ManualClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config.js';
import { readingCatalog } from '../catalog.js';

const [envJson, prefix, countText, optionsText] = process.argv.slice(2);
const count = Number(countText);
const options = Number(optionsText);
const paperbot = await createPaperbot({
  config: loadConfig(JSON.parse(envJson ?? '{}') as Record<string, string>),
  clock: new ManualClock('2026-11-02T10:00:00Z'),
  catalog: readingCatalog,
});
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const kinds: Record<string, number> = {};
const BATCH = 10;
for (let from = 0; from < count; from += BATCH) {
  const replies = await Promise.all(
    Array.from({ length: Math.min(BATCH, count - from) }, (_, k) =>
      paperbot.bot.handle({
        text: `vote ${((from + k) % options) + 1}`,
        platform: 'console',
        channelId: 'lab',
        userId: `${prefix}-${from + k}`,
        canManageChannel: false,
        trigger: 'command',
      }),
    ),
  );
  for (const r of replies) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
}
await paperbot.close();
process.stdout.write(JSON.stringify(kinds));
