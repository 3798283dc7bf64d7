import { createPaperbot } from '../../src/app.js';
import { addCli, enrichCli, exportCli, importCli } from '../../src/catalog/cli.js';
import { loadSettings } from '../settings.js';
import { loggerFor, type Io } from './io.js';

/**
 * `paperbot add | import | export | enrich`: the living catalog from the command line. They run on
 * the core alone (the database and the live catalog, no chat platform); a bot running on the same
 * database sees the change on its next query.
 */
export async function libraryCli(command: 'add' | 'import' | 'export' | 'enrich', args: string[], io: Io): Promise<number> {
  const settings = loadSettings(io.env);
  const paperbot = await createPaperbot({ config: settings, log: loggerFor(settings), listen: false });
  // A progress bar only on a terminal, and only for the real process (a test's io is not a terminal).
  const progress = io.env === process.env && Boolean(process.stderr.isTTY);
  const catalogIo = { stdout: io.stdout, stderr: io.stderr, progress };
  try {
    const run = { add: addCli, import: importCli, export: exportCli, enrich: enrichCli }[command];
    return await run(args, paperbot.services.catalog, catalogIo);
  } finally {
    await paperbot.close();
  }
}
