/**
 * A paperbot process for the Slack kill -9 test: the real core on a SQLite file and the real Slack
 * adapter against the parent's fake Slack. It ticks the spotlight once at <now> and prints "ticked".
 *
 * node bin/run-ts.js test/slack/child/spotlight-child.ts <db> <slack api url> <now ISO>
 */
import { createSlackAdapter } from '../../../adapters/slack/index.js';
import { createPaperbot } from '../../../src/app.js';
import { ManualClock } from '../../../src/clock.js';
import { loadSettings } from '../../../adapters/settings.js';
import { silentLogger } from '../../../src/log.js';
import { tick } from '../../../src/capabilities/spotlight/index.js';
import { syntheticPapers } from '../../spotlight/harness.js';

const [dbPath, apiUrl, nowIso] = process.argv.slice(2);
const config = loadSettings({
  PAPERBOT_DB: dbPath,
  LOG_LEVEL: 'silent',
  SLACK_BOT_TOKEN: 'xoxb-child-token-0123456789',
  SLACK_SIGNING_SECRET: 'child-signing-secret',
  SLACK_API_URL: apiUrl,
});
const paperbot = await createPaperbot({ config, clock: new ManualClock(nowIso), catalog: { papers: syntheticPapers(6) }, log: silentLogger });
paperbot.services.outbox.register(createSlackAdapter({ config: config.slack!, bot: paperbot.bot, log: silentLogger }));
process.stdout.write('ready\n');
await tick(paperbot.services);
process.stdout.write('ticked\n');
paperbot.close();
