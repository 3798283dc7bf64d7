import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Installation } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { SqlInstallationStore, WorkspaceChannels } from '../../adapters/slack/installations.js';
import { slackMigrations } from '../../adapters/slack/migration.js';
import { SqlReplays } from '../../adapters/slack/replays.js';
import { ManualClock } from '../../src/clock.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { openDb } from '../../src/store/db.js';
import { openSqlStore } from '../../src/store/sql/open.js';
import type { SqlDatabase } from '../../src/store/sql/types.js';
import { freshDatabase, testedEngines, type FreshDatabase } from '../helpers/engines.js';

/** A workspace's installation as Bolt hands it to storeInstallation after oauth.v2.access. */
function installation(teamId: string | undefined, token: string, enterpriseId?: string): Installation {
  return {
    team: teamId ? { id: teamId, name: `Team ${teamId}` } : undefined,
    enterprise: enterpriseId ? { id: enterpriseId } : undefined,
    user: { id: 'U0ADMIN', token: undefined, scopes: undefined },
    bot: { token, id: 'B0BOT', userId: 'U0BOT', scopes: ['commands', 'chat:write'] },
    tokenType: 'bot',
    isEnterpriseInstall: !teamId,
    appId: 'A0PAPER',
    authVersion: 'v2',
  } as Installation;
}

describe.each(testedEngines())('the Slack adapter’s store on %s', (engine) => {
  let fresh: FreshDatabase;
  const open: { close(): unknown }[] = [];
  const clock = new ManualClock('2026-12-01T10:00:00Z');

  /** A replica's connection to the shared database, with the adapter's migration applied. */
  async function connect(): Promise<SqlDatabase> {
    const legacy: Database.Database = openDb(fresh.dbPath, []);
    const sql = await openSqlStore(fresh, legacy, slackMigrations);
    open.push(sql, legacy);
    return sql;
  }

  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
    await fresh?.cleanup();
  });

  it('GIVEN installs, a reinstall and an org-wide install THEN each workspace finds its own, a workspace of the org without one finds the org’s, and removals take only what they name', async () => {
    fresh = await freshDatabase(engine);
    const store = new SqlInstallationStore(await connect(), clock);
    await store.storeInstallation(installation('T0A', 'xoxb-a-1'));
    await store.storeInstallation(installation('T0A', 'xoxb-a-2'));
    await store.storeInstallation(installation('T0B', 'xoxb-b', 'E0ORG'));
    await store.storeInstallation(installation(undefined, 'xoxb-org', 'E0ORG'));

    expect((await store.fetchInstallation({ teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false })).bot?.token).toBe('xoxb-a-2');
    expect((await store.fetchInstallation({ teamId: 'T0B', enterpriseId: 'E0ORG', isEnterpriseInstall: false })).bot?.token).toBe('xoxb-b');
    expect((await store.fetchInstallation({ teamId: 'T0C', enterpriseId: 'E0ORG', isEnterpriseInstall: false })).bot?.token).toBe('xoxb-org');
    expect((await store.fetchInstallation({ teamId: undefined, enterpriseId: 'E0ORG', isEnterpriseInstall: true })).bot?.token).toBe('xoxb-org');
    await expect(store.fetchInstallation({ teamId: 'T0Z', enterpriseId: undefined, isEnterpriseInstall: false })).rejects.toThrow(/no installation of paperbot for workspace T0Z/);
    // The whole installation comes back as Bolt stored it.
    expect(await store.find({ teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false })).toEqual(installation('T0A', 'xoxb-a-2'));
    expect(await store.storeIfAbsent(installation('T0A', 'xoxb-a-3'))).toBe(false);
    expect((await store.find({ teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false }))?.bot?.token).toBe('xoxb-a-2');

    await store.deleteInstallation({ teamId: 'T0B', enterpriseId: 'E0ORG', isEnterpriseInstall: false });
    expect((await store.find({ teamId: 'T0B', enterpriseId: 'E0ORG', isEnterpriseInstall: false }))?.bot?.token).toBe('xoxb-org');
    expect(await store.remove({ teamId: undefined, enterpriseId: 'E0ORG', isEnterpriseInstall: true })).toBe(1);
    expect(await store.find({ teamId: 'T0B', enterpriseId: 'E0ORG', isEnterpriseInstall: false })).toBeNull();
    expect(await store.find({ teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false })).not.toBeNull();
  });

  it('GIVEN SLACK_TOKEN_KEY THEN the stored row holds no token, a restart with the same key reads it, and no key, another key or a row moved to another workspace fails saying so', async () => {
    fresh = await freshDatabase(engine);
    const key = randomBytes(32);
    const sql = await connect();
    const rows = async () => sql.all<{ team_id: string; installation: string }>('SELECT team_id, installation FROM slack_installations ORDER BY team_id');
    await new SqlInstallationStore(sql, clock, key).storeInstallation(installation('T0A', 'xoxb-secret-a'));
    await new SqlInstallationStore(sql, clock, key).storeIfAbsent(installation('T0B', 'xoxb-secret-b'));
    for (const row of await rows()) {
      expect(row.installation).not.toContain('xoxb-secret');
      expect(row.installation).toMatch(/^sealed:aes-256-gcm:v1:/);
    }

    // A restart (another connection, another store) with the same key.
    const restarted = new SqlInstallationStore(await connect(), clock, key);
    expect((await restarted.fetchInstallation({ teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false })).bot?.token).toBe('xoxb-secret-a');
    expect(await restarted.find({ teamId: 'T0B', enterpriseId: undefined, isEnterpriseInstall: false })).toEqual(installation('T0B', 'xoxb-secret-b'));
    expect(await restarted.checkKey()).toBe(0);

    const query = { teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false };
    const keyless = new SqlInstallationStore(sql, clock);
    await expect(keyless.find(query)).rejects.toThrow(/installation of workspace T0A is encrypted \(SLACK_TOKEN_KEY key id [0-9a-f]{12}\) but SLACK_TOKEN_KEY is not set/);
    await expect(keyless.checkKey()).rejects.toBeInstanceOf(ConfigError);
    const otherKey = new SqlInstallationStore(sql, clock, randomBytes(32));
    await expect(otherKey.find(query)).rejects.toThrow(/was encrypted with another SLACK_TOKEN_KEY \(key id [0-9a-f]{12}; the one set has key id [0-9a-f]{12}\)/);
    // B's sealed row copied over A's: the right key, but bound to another workspace's row.
    const [a, b] = await rows();
    await sql.run('UPDATE slack_installations SET installation = ? WHERE team_id = ?', [b.installation, a.team_id]);
    await expect(restarted.find(query)).rejects.toThrow(/does not open with SLACK_TOKEN_KEY although the key id matches/);
  });

  it('GIVEN installations stored before SLACK_TOKEN_KEY was set THEN they still read with the key, and are encrypted at the next write or the start check', async () => {
    fresh = await freshDatabase(engine);
    const key = randomBytes(32);
    const sql = await connect();
    const before = new SqlInstallationStore(sql, clock);
    await before.storeInstallation(installation('T0A', 'xoxb-plain-a'));
    await before.storeInstallation(installation('T0B', 'xoxb-plain-b'));
    const stored = async (team: string) => (await sql.one<{ installation: string }>('SELECT installation FROM slack_installations WHERE team_id = ?', [team]))?.installation;
    expect(await stored('T0A')).toContain('xoxb-plain-a');

    const withKey = new SqlInstallationStore(sql, clock, key);
    expect((await withKey.find({ teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false }))?.bot?.token).toBe('xoxb-plain-a');
    // The next write (a reinstall) encrypts A's row.
    await withKey.storeInstallation(installation('T0A', 'xoxb-plain-a2'));
    expect(await stored('T0A')).not.toContain('xoxb-plain');
    expect(await stored('T0B')).toContain('xoxb-plain-b');
    // The start check encrypts the rest, and they still read.
    expect(await withKey.checkKey()).toBe(1);
    expect(await stored('T0B')).not.toContain('xoxb-plain');
    expect((await withKey.find({ teamId: 'T0B', enterpriseId: undefined, isEnterpriseInstall: false }))?.bot?.token).toBe('xoxb-plain-b');
    expect((await withKey.find({ teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false }))?.bot?.token).toBe('xoxb-plain-a2');
  });

  it('GIVEN channels used from workspaces, one of them shared THEN each lists its channels, and a shared one names the latest workspace first', async () => {
    fresh = await freshDatabase(engine);
    const [a, b] = [await connect(), await connect()];
    const replicaA = new WorkspaceChannels(a, clock);
    const replicaB = new WorkspaceChannels(b, clock);
    await replicaA.note({ teamId: 'T0A' }, 'C0ONE');
    await replicaA.note({ teamId: 'T0A' }, 'C0ONE');
    await replicaB.note({ teamId: 'T0A' }, 'C0SHARED');
    clock.advance(60_000);
    await replicaA.note({ teamId: 'T0B', enterpriseId: 'E0ORG' }, 'C0SHARED');
    await replicaA.note({ teamId: '' }, 'C0NOWHERE');

    expect(await replicaB.workspacesOf('C0SHARED')).toEqual([{ teamId: 'T0B', enterpriseId: 'E0ORG' }, { teamId: 'T0A' }]);
    expect(await replicaB.workspacesOf('C0ONE')).toEqual([{ teamId: 'T0A' }]);
    expect(await replicaB.workspacesOf('C0NOWHERE')).toEqual([]);
    expect(await replicaB.channelsOf({ teamId: 'T0A', enterpriseId: undefined, isEnterpriseInstall: false })).toEqual([
      { teamId: 'T0A', channelId: 'C0ONE' },
      { teamId: 'T0A', channelId: 'C0SHARED' },
    ]);
    expect(await replicaB.channelsOf({ teamId: undefined, enterpriseId: 'E0ORG', isEnterpriseInstall: true })).toEqual([{ teamId: 'T0B', channelId: 'C0SHARED' }]);
    // A workspace is looked up with the org it was seen in, so its own installation inside the org is found.
    expect(await replicaB.workspaceIn('T0B', 'C0SHARED')).toEqual({ teamId: 'T0B', enterpriseId: 'E0ORG' });
    expect(await replicaB.workspaceIn('T0A', 'C0SHARED')).toEqual({ teamId: 'T0A' });
  });

  it('GIVEN the same request reaching two replicas at once, and again later THEN exactly one runs it inside the window, and it is new again after the window', async () => {
    fresh = await freshDatabase(engine);
    const log = createLogger('error', []);
    let now = Date.parse('2026-12-01T10:00:00Z');
    const replicas = [new SqlReplays(await connect(), log, () => now), new SqlReplays(await connect(), log, () => now)];
    const copies = await Promise.all(Array.from({ length: 20 }, (_, i) => replicas[i % 2].remember('trigger:12345.67890')));
    expect(copies.filter(Boolean)).toHaveLength(1);
    expect(await replicas[1].remember('trigger:other')).toBe(true);

    now += 9 * 60_000;
    expect(await replicas[0].remember('trigger:12345.67890')).toBe(false);
    now += 2 * 60_000;
    const later = await Promise.all([replicas[0].remember('trigger:12345.67890'), replicas[1].remember('trigger:12345.67890')]);
    expect(later.filter(Boolean)).toHaveLength(1);
  });

  it('GIVEN the database stops answering THEN repeats are still recognised in the process, with one warning, and the shared memory resumes when it answers', async () => {
    fresh = await freshDatabase(engine);
    const lines: string[] = [];
    const sql = await connect();
    let failing = false;
    // The real store, made to fail as an unreachable server would.
    const flaky = { ...sql, run: (text: string, params?: readonly (string | number | null)[]) => (failing ? Promise.reject(new Error('connection refused')) : sql.run(text, params)) } as SqlDatabase;
    const replays = new SqlReplays(flaky, createLogger('info', [], (l) => lines.push(l)));
    expect(await replays.remember('trigger:before')).toBe(true);
    failing = true;
    expect(await replays.remember('trigger:before')).toBe(false);
    expect(await replays.remember('trigger:during')).toBe(true);
    expect(await replays.remember('trigger:during')).toBe(false);
    expect(lines.filter((l) => l.includes('cannot record requests in the database'))).toHaveLength(1);
    failing = false;
    expect(await replays.remember('trigger:after')).toBe(true);
    expect(lines.some((l) => l.includes('the database answers again'))).toBe(true);
    expect(await new SqlReplays(sql, createLogger('error', [])).remember('trigger:after')).toBe(false);
  });
});
