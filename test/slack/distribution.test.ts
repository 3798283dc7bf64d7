import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { main } from '../../adapters/cli/index.js';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/index.js';
import { loadSettings } from '../../adapters/settings.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import type { Bot } from '../../src/bot.js';
import { tick as spotlightTick } from '../../src/capabilities/spotlight/tick.js';
import { getSubscription } from '../../src/delivery/index.js';
import { idempotencyKey } from '../../src/delivery/claims.js';
import { DeliveryError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { reply } from '../../src/reply.js';
import type { Invocation } from '../../src/services.js';
import { blockActionBody, blockActionPayload, eventBody, FakeSlack, LAB_TEAM, signedHeaders, slashCommandBody, type FakeWorkspace } from '../fakes/slack.js';
import { freshDatabase, testedEngines, type FreshDatabase } from '../helpers/engines.js';
import { createTestDatabase } from '../helpers/postgres-server.js';
import { readingCatalog } from '../reading/catalog.js';

/** The channel of the workspace installed in the test, as the delivery layer keys it. */
const NEW_READING_CHANNEL = { platform: 'slack', workspaceId: 'T0NEW', channel: 'C0NEWREAD' } as const;
const NEW_READING_TARGET = { platform: 'slack', workspaceId: 'T0NEW', channelId: 'C0NEWREAD' } as const;

/**
 * Slack app distribution (issue 15) through the real Bolt app over 127.0.0.1: a workspace admin
 * opens /slack/install, Slack's (fake) consent page sends the browser back to /slack/oauth_redirect
 * with a code and the state, Bolt checks the state against its cookie, exchanges the code with
 * oauth.v2.access and our InstallationStore keeps the installation in the database, on SQLite and
 * on PostgreSQL. Replicas share one database and one state secret, and nothing else.
 */

const SIGNING_SECRET = 'distribution-signing-secret-0123456789';
const STATE_SECRET = 'distribution-state-secret-0123456789abcdef';
const APP = { clientId: '1111111111.2222222222', clientSecret: 'distribution-client-secret-0123', appId: 'A0PAPER' };
const SINGLE_TOKEN = 'xoxb-distribution-single-workspace-token';
const NEW_WORKSPACE: FakeWorkspace = { teamId: 'T0NEW', teamName: 'Radiology Lab' };

type Replica = {
  paperbot: Paperbot;
  adapter: SlackAdapter;
  url: string;
  handled: Invocation[];
  logs: string[];
  close(): Promise<void>;
};

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

async function fakeSlack(): Promise<FakeSlack> {
  const fake = await FakeSlack.start();
  fake.registerApp({ ...APP });
  closing.push(() => fake.close());
  return fake;
}

async function database(engine: Parameters<typeof freshDatabase>[0]): Promise<FreshDatabase> {
  const db = await freshDatabase(engine);
  closing.push(() => db.cleanup());
  return db;
}

/** One replica: the real core and the real Bolt app behind our adapter, in HTTP mode with distribution on. */
async function replica(fake: FakeSlack, db: FreshDatabase, env: Record<string, string> = {}): Promise<Replica> {
  const config = loadSettings({
    ...db.env,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_CLIENT_ID: APP.clientId,
    SLACK_CLIENT_SECRET: APP.clientSecret,
    SLACK_STATE_SECRET: STATE_SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_PORT: '0',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const logs: string[] = [];
  const log = createLogger('debug', [SIGNING_SECRET, STATE_SECRET, APP.clientSecret, SINGLE_TOKEN], (line) => logs.push(line));
  const paperbot = await createPaperbot({ config, log, catalog: readingCatalog });
  const handled: Invocation[] = [];
  const bot: Bot = { ...paperbot.bot, handle: (invocation) => (handled.push(invocation), paperbot.bot.handle(invocation)) };
  const adapter = createSlackAdapter({ config: config.slack!, bot, log, host: '127.0.0.1' });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await adapter.stop().catch(() => {});
    await paperbot.close();
  };
  try {
    await adapter.start();
  } catch (error) {
    await close();
    throw error;
  }
  paperbot.services.outbox.register(adapter);
  closing.push(close);
  return { paperbot, adapter, url: `http://127.0.0.1:${adapter.port}`, handled, logs, close };
}

/**
 * An admin installs the app: the browser opens /slack/install on `start`, follows the redirect to
 * Slack's consent page, and comes back (with the state cookie /slack/install set) to the Redirect
 * URL, which the load balancer sends to `finish`.
 */
async function install(fake: FakeSlack, start: Replica, finish: Replica, workspace: FakeWorkspace): Promise<Response> {
  fake.approveNextInstallAs(workspace);
  fake.app!.redirectUrl = `${finish.url}/slack/oauth_redirect`;
  const begin = await fetch(`${start.url}/slack/install`, { redirect: 'manual' });
  expect(begin.status).toBe(302);
  const cookie = (begin.headers.get('set-cookie') ?? '').split(';')[0];
  expect(cookie).toMatch(/^slack-app-oauth-state=.+/);
  const authorize = new URL(begin.headers.get('location') ?? '');
  expect(`${authorize.origin}${authorize.pathname}`).toBe(new URL('../oauth/v2/authorize', fake.apiUrl).toString());
  expect(authorize.searchParams.get('client_id')).toBe(APP.clientId);
  expect(authorize.searchParams.get('scope')).toBe('commands,chat:write');
  const consent = await fetch(authorize, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  return fetch(consent.headers.get('location') ?? '', { headers: { cookie }, redirect: 'manual' });
}

/** A signed request to a replica's events endpoint, as Slack posts it. */
function send(to: Replica, body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Response> {
  return fetch(`${to.url}/slack/events`, { method: 'POST', headers: { ...signedHeaders(SIGNING_SECRET, body), 'content-type': contentType }, body });
}

async function command(to: Replica, text: string, from: { teamId: string; channelId: string; userId?: string; triggerId?: string }): Promise<string> {
  const res = await send(to, slashCommandBody({ text, responseUrl: 'http://127.0.0.1:9/unused', ...from }));
  expect(res.status).toBe(200);
  return res.text();
}

/** The next Monday 09:00 UTC after now: the slot of `spotlight on monday 09:00 UTC`. */
function nextMondayNine(): number {
  const at = new Date();
  at.setUTCHours(9, 0, 0, 0);
  while (at.getUTCDay() !== 1 || at.getTime() <= Date.now()) at.setUTCDate(at.getUTCDate() + 1);
  return at.getTime();
}

async function installedTeams(r: Replica): Promise<string[]> {
  return (await r.paperbot.services.sql.all<{ team_id: string }>('SELECT team_id FROM slack_installations ORDER BY team_id')).map((row) => row.team_id);
}

describe.each(testedEngines())('Slack app distribution on %s', (engine) => {
  it('GIVEN an admin installs the app THEN the installation is stored, the workspace’s commands are answered and its posts use its own token; app_uninstalled removes it and pauses its channels', async () => {
    const fake = await fakeSlack();
    const bot = await replica(fake, await database(engine));
    expect(await installedTeams(bot)).toEqual([]);

    const done = await install(fake, bot, bot, NEW_WORKSPACE);
    expect(done.status).toBe(200);
    // The state cookie is cleared once used.
    expect(done.headers.get('set-cookie')).toMatch(/^slack-app-oauth-state=deleted;.*Expires=Thu, 01 Jan 1970/);
    const exchange = fake.callsTo('oauth.v2.access');
    expect(exchange).toHaveLength(1);
    expect(exchange[0].body).toMatchObject({ client_id: APP.clientId, client_secret: APP.clientSecret });
    expect(await installedTeams(bot)).toEqual(['T0NEW']);
    const token = fake.tokenOf('T0NEW');
    expect(token).toMatch(/^xoxb-T0NEW-/);
    expect(bot.logs.join('\n')).toContain('slack: installed in workspace T0NEW (Radiology Lab)');

    // A command from the new workspace is authorized by its installation and answered; the poll it
    // opens goes out with the workspace's own token.
    const ack = await command(bot, 'suggest 3', { teamId: 'T0NEW', channelId: 'C0NEWREAD' });
    expect(ack).toMatch(/Poll #\d+ is posted/);
    const posted = fake.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0NEWREAD');
    expect(posted).toHaveLength(1);
    expect(FakeSlack.tokenOf(posted[0])).toBe(token);
    expect(bot.handled.at(-1)).toMatchObject({ workspaceId: 'T0NEW', channelId: 'C0NEWREAD' });
    expect(await command(bot, 'spotlight on monday 09:00 UTC', { teamId: 'T0NEW', channelId: 'C0NEWREAD' })).toMatch(/spotlight/i);
    expect(await getSubscription(bot.paperbot.services.sql, 'spotlight', NEW_READING_CHANNEL)).toMatchObject({ enabled: true, pausedReason: null });
    // The scheduler's post goes out with the workspace's token too.
    const monday = nextMondayNine();
    const spotlights = await spotlightTick(bot.paperbot.services, new Date(monday + 60_000));
    expect(spotlights.map((p) => p.channel)).toEqual(['C0NEWREAD']);
    const scheduled = fake.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0NEWREAD');
    expect(scheduled.map(FakeSlack.tokenOf)).toEqual([token, token]);

    // A workspace that never installed the app gets nowhere: Bolt finds no installation to authorize it.
    const handledBefore = bot.handled.length;
    expect(await command(bot, 'gan mri', { teamId: 'T0STRANGER', channelId: 'C0STRANGE' })).toBe('');
    expect(bot.handled).toHaveLength(handledBefore);
    await vi.waitFor(() => expect(bot.logs.join('\n')).toMatch(/request from a workspace with no installation of paperbot was ignored.*workspace T0STRANGER/));
    expect(bot.logs.join('\n')).not.toContain('a listener failed');

    // The workspace uninstalls: Slack revokes its token and sends app_uninstalled.
    fake.revokeTokensOf('T0NEW');
    expect((await send(bot, eventBody('T0NEW', { type: 'app_uninstalled' }), 'application/json')).status).toBe(200);
    await vi.waitFor(async () => expect(await installedTeams(bot)).toEqual([]), { timeout: 10_000, interval: 50 });
    await vi.waitFor(async () => expect((await getSubscription(bot.paperbot.services.sql, 'spotlight', NEW_READING_CHANNEL))?.pausedReason).toContain('uninstalled paperbot'), {
      timeout: 10_000,
      interval: 50,
    });
    expect(await command(bot, 'gan mri', { teamId: 'T0NEW', channelId: 'C0NEWREAD' })).toBe('');
    expect(bot.handled).toHaveLength(handledBefore);
    // The next week's slot finds the schedule paused and posts nothing.
    expect(await spotlightTick(bot.paperbot.services, new Date(monday + 7 * 86_400_000 + 60_000))).toEqual([]);
    // Nothing posts there any more, and saying so pauses rather than retries.
    const refused = await bot.paperbot.services.outbox.post(NEW_READING_TARGET, reply('info', 'en', { title: 'hello' })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DeliveryError);
    expect((refused as DeliveryError).permanent).toBe(true);
  });

  it('GIVEN two installed workspaces sharing one channel (Slack Connect), each with its own spotlight THEN each post goes out with its own workspace’s token, and uninstalling one pauses only its schedule', async () => {
    const fake = await fakeSlack();
    const bot = await replica(fake, await database(engine));
    const radiology = NEW_WORKSPACE;
    const pathology: FakeWorkspace = { teamId: 'T0PATH', teamName: 'Pathology Lab' };
    expect((await install(fake, bot, bot, radiology)).status).toBe(200);
    expect((await install(fake, bot, bot, pathology)).status).toBe(200);
    const tokens = { [radiology.teamId]: fake.tokenOf(radiology.teamId), [pathology.teamId]: fake.tokenOf(pathology.teamId) };
    expect(new Set(Object.values(tokens)).size).toBe(2);

    // One channel id, used from both workspaces; pathology's command is the latest seen there.
    const shared = 'C0SHARED';
    expect(await command(bot, 'spotlight on monday 09:00 UTC', { teamId: radiology.teamId, channelId: shared })).toMatch(/spotlight/i);
    expect(await command(bot, 'spotlight on monday 09:00 UTC', { teamId: pathology.teamId, channelId: shared })).toMatch(/spotlight/i);
    const target = (teamId: string) => ({ platform: 'slack', workspaceId: teamId, channel: shared }) as const;

    const monday = nextMondayNine();
    const posts = await spotlightTick(bot.paperbot.services, new Date(monday + 60_000));
    expect(posts.map((p) => p.channel)).toEqual([shared, shared]);
    /** Which token made the post carrying each workspace's slot key (the key travels in the message's metadata). */
    const postedWith = (slot: number) => {
      const calls = fake.callsTo('chat.postMessage').filter((c) => c.body.channel === shared);
      const byKey = new Map(calls.map((c) => [JSON.parse(String(c.body.metadata)).event_payload.key as string, FakeSlack.tokenOf(c)]));
      return Object.fromEntries(
        [radiology.teamId, pathology.teamId].map((team) => [team, byKey.get(idempotencyKey('slack', shared, new Date(slot).toISOString(), 'spotlight', team))]),
      );
    };
    expect(postedWith(monday)).toEqual(tokens);

    // Radiology uninstalls: its schedule in the shared channel pauses, pathology's stays on.
    fake.revokeTokensOf(radiology.teamId);
    expect((await send(bot, eventBody(radiology.teamId, { type: 'app_uninstalled' }), 'application/json')).status).toBe(200);
    await vi.waitFor(async () => expect((await getSubscription(bot.paperbot.services.sql, 'spotlight', target(radiology.teamId)))?.pausedReason).toContain('uninstalled paperbot'), {
      timeout: 10_000,
      interval: 50,
    });
    expect(await getSubscription(bot.paperbot.services.sql, 'spotlight', target(pathology.teamId))).toMatchObject({ enabled: true, pausedReason: null });
    const nextWeek = monday + 7 * 86_400_000;
    const later = await spotlightTick(bot.paperbot.services, new Date(nextWeek + 60_000));
    expect(later.map((p) => p.channel)).toEqual([shared]);
    expect(postedWith(nextWeek)).toEqual({ [radiology.teamId]: undefined, [pathology.teamId]: tokens[pathology.teamId] });
    expect(fake.callsTo('chat.postMessage').filter((c) => FakeSlack.tokenOf(c) === tokens[radiology.teamId])).toHaveLength(1);
  });

  it('GIVEN a button whose command is too long for Slack’s value, posted by replica A THEN a click on replica B runs it, and the same click from another installed workspace is refused', async () => {
    const fake = await fakeSlack();
    const db = await database(engine);
    const [a, b] = [await replica(fake, db), await replica(fake, db)];
    expect((await install(fake, a, a, NEW_WORKSPACE)).status).toBe(200);
    expect((await install(fake, a, a, { teamId: 'T0OTHER', teamName: 'Pathology' })).status).toBe(200);
    const long = `gan ${'mri '.repeat(700)}`.trim();
    expect(long.length).toBeGreaterThan(2000);
    await a.paperbot.services.outbox.post(NEW_READING_TARGET, reply('info', 'en', { title: 'long', actions: [{ label: 'Search', command: long, effect: 'reply' }] }));
    const [posted] = fake.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0NEWREAD');
    type Button = { type: string; action_id: string; value: string };
    const button = (JSON.parse(String(posted.body.blocks)) as { elements?: Button[] }[]).flatMap((block) => block.elements ?? []).find((e) => e.type === 'button');
    expect(button?.value.length).toBeLessThanOrEqual(2000);
    expect(button?.value).not.toContain('mri');
    const click = async (to: Replica, teamId: string, id: string) => {
      const payload = blockActionPayload({ actionId: button!.action_id, value: button!.value, responseUrl: fake.responseUrl(id), teamId, channelId: 'C0NEWREAD' });
      expect((await send(to, blockActionBody(payload))).status).toBe(200);
      return (await fake.waitForResponses(id))[0].body;
    };

    await click(b, 'T0NEW', 'long-on-b');
    expect(b.handled.at(-1)).toMatchObject({ text: long, workspaceId: 'T0NEW', channelId: 'C0NEWREAD', trigger: 'button' });
    const handled = a.handled.length + b.handled.length;
    const refused = await click(b, 'T0OTHER', 'long-from-other');
    expect(refused.text).toMatch(/expired/);
    expect(a.handled.length + b.handled.length).toBe(handled);
    expect(b.logs.join('\n')).toContain('slack: a click in T0OTHER/C0NEWREAD on a button made for another workspace or channel was refused');
  });

  it('GIVEN SLACK_TOKEN_KEY on both replicas THEN the install is stored encrypted and either replica answers and posts with the token; a replica without the key refuses to start, saying so', async () => {
    const fake = await fakeSlack();
    const db = await database(engine);
    const sealed = { SLACK_TOKEN_KEY: randomBytes(32).toString('base64') };
    const [a, b] = [await replica(fake, db, sealed), await replica(fake, db, sealed)];
    expect((await install(fake, a, b, NEW_WORKSPACE)).status).toBe(200);
    const token = fake.tokenOf('T0NEW') as string;
    const rows = await a.paperbot.services.sql.all<{ installation: string }>('SELECT installation FROM slack_installations');
    expect(rows).toHaveLength(1);
    expect(rows[0].installation).not.toContain(token);
    expect(await command(a, 'suggest 3', { teamId: 'T0NEW', channelId: 'C0NEWA' })).toMatch(/Poll #\d+ is posted/);
    expect(await command(b, 'gan mri', { teamId: 'T0NEW', channelId: 'C0NEWB' })).toContain('"blocks"');
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0NEWA').map(FakeSlack.tokenOf)).toEqual([token]);

    await expect(replica(fake, db)).rejects.toThrow(/installation of workspace T0NEW is encrypted .* but SLACK_TOKEN_KEY is not set/);
  });

  it('GIVEN tokens_revoked for the bot THEN the workspace’s installation goes, and a user-token-only revocation changes nothing', async () => {
    const fake = await fakeSlack();
    const bot = await replica(fake, await database(engine));
    expect((await install(fake, bot, bot, NEW_WORKSPACE)).status).toBe(200);
    expect((await install(fake, bot, bot, { teamId: 'T0OTHER', teamName: 'Pathology' })).status).toBe(200);
    expect(await installedTeams(bot)).toEqual(['T0NEW', 'T0OTHER']);

    await send(bot, eventBody('T0NEW', { type: 'tokens_revoked', tokens: { oauth: ['U0ADMINT0NEW'] } }), 'application/json');
    await send(bot, eventBody('T0NEW', { type: 'tokens_revoked', tokens: { bot: ['U0BOTT0NEW'] } }), 'application/json');
    await vi.waitFor(async () => expect(await installedTeams(bot)).toEqual(['T0OTHER']), { timeout: 10_000, interval: 50 });
    expect(await command(bot, 'gan mri', { teamId: 'T0OTHER', channelId: 'C0PATH' })).toContain('"blocks"');
  });

  it('GIVEN SLACK_BOT_TOKEN beside distribution THEN its workspace keeps working without an install, its channels post with it, and a new workspace’s with its own', async () => {
    const fake = await fakeSlack();
    const bot = await replica(fake, await database(engine), { SLACK_BOT_TOKEN: SINGLE_TOKEN });
    expect(await installedTeams(bot)).toEqual([LAB_TEAM]);
    expect(await command(bot, 'suggest 3', { teamId: LAB_TEAM, channelId: 'C0LABREAD' })).toMatch(/Poll #\d+ is posted/);
    expect((await install(fake, bot, bot, NEW_WORKSPACE)).status).toBe(200);
    expect(await command(bot, 'suggest 3', { teamId: 'T0NEW', channelId: 'C0NEWREAD' })).toMatch(/Poll #\d+ is posted/);
    const tokenIn = (channel: string) => fake.callsTo('chat.postMessage').filter((c) => c.body.channel === channel).map(FakeSlack.tokenOf);
    expect(tokenIn('C0LABREAD')).toEqual([SINGLE_TOKEN]);
    expect(tokenIn('C0NEWREAD')).toEqual([fake.tokenOf('T0NEW')]);
    // A channel no command has come from yet (a schedule from before distribution) posts as the single workspace.
    await bot.paperbot.services.outbox.post({ platform: 'slack', workspaceId: '', channelId: 'C0OLDSPOT' }, reply('info', 'en', { title: 'hello' }));
    expect(tokenIn('C0OLDSPOT')).toEqual([SINGLE_TOKEN]);
  });

  it('GIVEN two replicas on one database THEN an install begun on one finishes on the other, either answers the new workspace, a repeated request runs once, and a replica with another state secret refuses the install', async () => {
    const fake = await fakeSlack();
    const db = await database(engine);
    const [a, b] = [await replica(fake, db), await replica(fake, db)];

    const done = await install(fake, a, b, NEW_WORKSPACE);
    expect(done.status).toBe(200);
    expect(await installedTeams(a)).toEqual(['T0NEW']);
    expect(b.logs.join('\n')).toContain('slack: installed in workspace T0NEW');
    expect(a.logs.join('\n')).not.toContain('slack: installed in workspace');

    // Either replica authorizes the workspace from the shared installation.
    expect(await command(a, 'gan mri', { teamId: 'T0NEW', channelId: 'C0NEWA' })).toContain('"blocks"');
    expect(await command(b, 'gan mri', { teamId: 'T0NEW', channelId: 'C0NEWB' })).toContain('"blocks"');

    // Slack sends a command again (its ack was late); the load balancer gives each copy to another replica.
    const triggerId = `${Date.now()}.${randomUUID()}`;
    const body = slashCommandBody({ text: 'suggest 3', responseUrl: 'http://127.0.0.1:9/unused', teamId: 'T0NEW', channelId: 'C0TWICE', triggerId });
    const [first, second] = await Promise.all([send(a, body), send(b, body)]);
    const answers = [await first.text(), await second.text()];
    expect(answers.filter((t) => /Poll #\d+ is posted/.test(t))).toHaveLength(1);
    expect(answers.filter((t) => t === '')).toHaveLength(1);
    expect([...a.handled, ...b.handled].filter((i) => i.channelId === 'C0TWICE')).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0TWICE')).toHaveLength(1);

    // The state is verified by the shared secret alone: a replica with another one cannot finish the install.
    const stranger = await replica(fake, db, { SLACK_STATE_SECRET: 'another-state-secret-0123456789abcdefgh' });
    const refused = await install(fake, a, stranger, { teamId: 'T0THIRD', teamName: 'Third' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(await installedTeams(a)).toEqual(['T0NEW']);
    expect(fake.callsTo('oauth.v2.access')).toHaveLength(1);
  });
});

describe.each(testedEngines())('Slack Socket Mode replicas on %s', (engine) => {
  it('GIVEN two replicas connected in Socket Mode and Slack delivering the same command to both THEN it runs once, and the other acknowledges it empty', async () => {
    const fake = await fakeSlack();
    const db = await database(engine);
    const socketMode = { SLACK_CLIENT_ID: '', SLACK_CLIENT_SECRET: '', SLACK_STATE_SECRET: '', SLACK_BOT_TOKEN: SINGLE_TOKEN, SLACK_APP_TOKEN: 'xapp-distribution-app-token-0123' };
    const [a, b] = [await replica(fake, db, socketMode), await replica(fake, db, socketMode)];
    expect(fake.callsTo('apps.connections.open')).toHaveLength(2);
    // The fake sends each envelope over every open connection: one copy to each replica.
    await fake.sendEnvelope('slash_commands', {
      token: 'legacy', team_id: LAB_TEAM, channel_id: 'C0SOCKET', user_id: 'U0ALICE', user_name: 'alice', command: '/paper',
      text: 'gan mri', api_app_id: 'A0PAPER', response_url: 'http://127.0.0.1:9/unused', trigger_id: `${Date.now()}.socket`,
    });
    await vi.waitFor(() => expect([...a.logs, ...b.logs].join('\n')).toContain('a repeat of an already answered Socket Mode delivery (trigger)'), { timeout: 10_000, interval: 50 });
    expect([...a.handled, ...b.handled].filter((i) => i.channelId === 'C0SOCKET')).toHaveLength(1);
  });
});

describe('the Slack adapter’s tables in the maintenance commands', () => {
  async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), stdin: process.stdin, env: { ...env, LOG_LEVEL: 'silent' } };
    return { code: await main(args, io), out: out.join('') };
  }

  it('GIVEN a SQLite database a distributed bot used THEN doctor knows its migration (not a newer paperbot’s), and migrate-to-postgres carries the installations over', async () => {
    const fake = await fakeSlack();
    const db = await database('sqlite');
    const bot = await replica(fake, db);
    expect((await install(fake, bot, bot, NEW_WORKSPACE)).status).toBe(200);
    expect(await command(bot, 'gan mri', { teamId: 'T0NEW', channelId: 'C0NEWREAD' })).toContain('"blocks"');
    await bot.close();

    const doctor = await cli(['doctor'], { PAPERBOT_DB: db.dbPath });
    expect(doctor.out).toMatch(/schema up to date/);
    expect(doctor.out).not.toMatch(/newer paperbot/);
    const fresh = await database('sqlite');
    expect((await cli(['doctor'], { PAPERBOT_DB: fresh.dbPath })).out).not.toMatch(/migration\(s\) will run/);

    const server = inject('postgresUrl');
    if (!server) return;
    const target = await createTestDatabase(server);
    closing.push(() => target.drop());
    const copy = await cli(['migrate-to-postgres'], { PAPERBOT_DB: db.dbPath, DATABASE_URL: target.url });
    expect(copy.code, copy.out).toBe(0);
    expect(copy.out).toContain('slack_installations: 1 rows copied, counts match');
    expect(copy.out).toContain('slack_channels: 1 rows copied, counts match');
    const onPostgres = await replica(fake, { ...db, databaseUrl: target.url, env: { PAPERBOT_DB: db.dbPath, DATABASE_URL: target.url } });
    expect(await installedTeams(onPostgres)).toEqual(['T0NEW']);
    expect(await command(onPostgres, 'gan mri', { teamId: 'T0NEW', channelId: 'C0NEWREAD' })).toContain('"blocks"');
  });
});
