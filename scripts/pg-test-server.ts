// Starts a throw-away PostgreSQL for CI (`.ci/run`): prints `PAPERBOT_TEST_DATABASE_URL=<url>` once it
// accepts connections, then runs until SIGTERM, SIGINT or SIGHUP, when it stops the server and
// deletes its folder. Usage: node bin/run-ts.js scripts/pg-test-server.ts
import { startTestPostgres } from '../test/helpers/postgres-server.js';

const server = await startTestPostgres();
process.stdout.write(`PAPERBOT_TEST_DATABASE_URL=${server.url}\n`);
// Nothing else keeps the process alive while it waits for its signal.
const keepAlive = setInterval(() => undefined, 1 << 30);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    clearInterval(keepAlive);
    void server.stop().then(() => process.exit(0));
  });
}
