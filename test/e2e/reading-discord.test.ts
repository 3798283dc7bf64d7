import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../src/catalog/paper.js';
import { readingStore } from '../../src/capabilities/reading/store.js';
import { CHANNEL_ID, GUILD_ID, PERMISSIONS, type Who } from '../fakes/discord-interactions.js';
import { discordButton, discordText, discordVoteCounts, Lab, type DiscordMessage } from './lab.js';

/**
 * Issue 6 on Discord, end to end: INTERACTION_CREATE over the gateway into the real discord.js
 * client for the slash command and for every vote click; the poll goes out as a channel message,
 * clicks replace it through the interaction callback (type 7, UPDATE_MESSAGE) and typed votes edit
 * it with PATCH. Every body the fake receives is checked against Discord's OpenAPI description.
 */

const OPENER = '900000000000000100';
const UPDATE_MESSAGE = 7;
const EPHEMERAL = 64;
const member = (userId: string): Who => ({ userId, permissions: PERMISSIONS.member, channelId: CHANNEL_ID });

type PostedPoll = { pollId: number; message: { id: string } & DiscordMessage; paperIds: string[] };

describe('Reading group on Discord through the real discord.js client', () => {
  let lab: Lab;
  const paper = (id: string): Paper => lab.services.papers.find((p) => p.id === id)!;
  const patchesOf = (messageId: string) => lab.discordChannelRequests(CHANNEL_ID, 'PATCH').filter((r) => r.path.endsWith(`/${messageId}`));
  const lastPatch = (messageId: string): DiscordMessage => {
    const request = patchesOf(messageId).at(-1);
    if (!request) throw new Error(`no PATCH of message ${messageId}`);
    return request.body as DiscordMessage;
  };

  beforeAll(async () => {
    lab = await Lab.start({ now: '2026-11-30T10:00:00Z' });
  });
  afterAll(async () => {
    if (lab) {
      expect(lab.discord.violations).toEqual([]);
      await lab.close();
    }
  });

  async function openPoll(text: string): Promise<PostedPoll> {
    const before = lab.discordChannelRequests(CHANNEL_ID).length;
    const answer = await lab.discordCommand(text, member(OPENER));
    expect(answer.type).toBe(4);
    expect(answer.data?.flags).toBe(EPHEMERAL);
    const pollId = Number(/Poll #(\d+) is posted/.exec(discordText(answer.data!))?.[1]);
    expect(pollId, discordText(answer.data!)).toBeGreaterThan(0);
    const posted = lab.discordChannelRequests(CHANNEL_ID).slice(before).filter((r) => discordText(r.body as DiscordMessage).includes(`poll #${pollId}`));
    expect(posted).toHaveLength(1);
    const ref = (await lab.poll(pollId)).messageRef;
    expect(ref).toMatchObject({ platform: 'discord', channelId: CHANNEL_ID });
    const paperIds = (await readingStore(lab.services.sql).tally(pollId)).map((o) => o.paperId);
    return { pollId, message: { ...(posted[0].body as DiscordMessage), id: ref!.messageId }, paperIds };
  }

  describe('a whole cycle: suggest, votes with toggles, close, announce, read, history', () => {
    let poll: PostedPoll;

    it('GIVEN /paper suggest 3 THEN the asker is told privately and the poll is posted to the channel with three Vote buttons and a Close button', async () => {
      poll = await openPoll('suggest 3');
      const labels = (poll.message.components ?? []).flatMap((row) => row.components.map((c) => c.label));
      expect(labels).toEqual(['Vote 1', 'Vote 2', 'Vote 3', 'Close poll']);
      expect(discordVoteCounts(poll.message)).toEqual([0, 0, 0]);
      expect(poll.message.embeds?.map((e) => e.url)).toEqual(poll.paperIds.map((id) => paper(id).url));
    });

    it('GIVEN several members click vote buttons, one of them twice THEN each click updates the poll message in place (type 7) with the new counts', async () => {
      const steps: [user: string, n: number, expected: number[]][] = [
        ['900000000000000101', 2, [0, 1, 0]],
        ['900000000000000102', 2, [0, 2, 0]],
        ['900000000000000103', 3, [0, 2, 1]],
        ['900000000000000104', 3, [0, 2, 2]],
        // A second click by the same member takes the vote back.
        ['900000000000000104', 3, [0, 2, 1]],
        ['900000000000000104', 2, [0, 3, 1]],
      ];
      for (const [user, n, expected] of steps) {
        lab.clock.advance(60_000);
        const answer = await lab.discordClick(discordButton(poll.message, `Vote ${n}`), poll.message, member(user));
        expect(answer.type).toBe(UPDATE_MESSAGE);
        expect(discordVoteCounts(answer.data!)).toEqual(expected);
      }
    });

    it('GIVEN a typed /paper vote 1 THEN the posted poll message is edited with PATCH', async () => {
      const answer = await lab.discordCommand('vote 1', member('900000000000000105'));
      expect(discordText(answer.data!)).toMatch(/Your vote for 1\. .* counts: 1 vote now/);
      expect(discordVoteCounts(lastPatch(poll.message.id))).toEqual([1, 3, 1]);
    });

    it('GIVEN a member who did not open the poll and lacks Manage Channels clicks Close THEN only they are told no, and the poll stays open', async () => {
      const answer = await lab.discordClick(discordButton(poll.message, 'Close poll'), poll.message, member('900000000000000101'));
      expect(answer.type).toBe(4);
      expect(answer.data?.flags).toBe(EPHEMERAL);
      expect(discordText(answer.data!)).toMatch(/Only .* can close it/);
      expect((await lab.poll(poll.pollId)).closedAt).toBeNull();
    });

    it('GIVEN the opener clicks Close THEN the message shows the final counts and the winner, and the winner is announced in the channel with its link', async () => {
      const before = lab.discordChannelRequests(CHANNEL_ID).length;
      const winner = paper(poll.paperIds[1]);
      const answer = await lab.discordClick(discordButton(poll.message, 'Close poll'), poll.message, member(OPENER));
      expect(answer.type).toBe(UPDATE_MESSAGE);
      expect(discordVoteCounts(answer.data!)).toEqual([1, 3, 1]);
      expect(discordText(answer.data!)).toMatch(/Closed\. Next paper: /);
      expect(() => discordButton(answer.data!, 'Vote 1')).toThrow();

      const announcements = lab.discordChannelRequests(CHANNEL_ID).slice(before);
      expect(announcements).toHaveLength(1);
      const announced = announcements[0].body as DiscordMessage;
      expect(discordText(announced)).toContain('Next paper for the reading group');
      expect(discordText(announced)).toContain(winner.url);
      expect(announced.enforce_nonce).toBe(true);
      expect(await lab.poll(poll.pollId)).toMatchObject({ winnerN: 2 });
    });

    it('GIVEN the poll is closed THEN a click on its old vote button counts nothing', async () => {
      const answer = await lab.discordClick(discordButton(poll.message, 'Vote 1'), poll.message, member('900000000000000106'));
      expect(discordText(answer.data!)).toMatch(/is closed: votes no longer count/);
      expect((await readingStore(lab.services.sql).tally(poll.pollId)).map((o) => o.votes)).toEqual([1, 3, 1]);
    });

    it('GIVEN the chosen paper THEN /paper next shows it, /paper read marks it read and /paper history lists it', async () => {
      const winner = paper(poll.paperIds[1]);
      expect(discordText((await lab.discordCommand('next', member('900000000000000101'))).data!)).toContain(winner.title.slice(0, 40));
      await lab.discordCommand('read', member(OPENER));
      expect((await readingStore(lab.services.sql).reads({ platform: 'discord', workspaceId: GUILD_ID, channelId: CHANNEL_ID })).map((r) => r.paperId)).toEqual([winner.id]);
      const history = (await lab.discordCommand('history', member('900000000000000101'))).data!;
      expect(history.embeds?.map((e) => e.url)).toContain(winner.url);
      expect(discordText(history)).toContain('2026-11-30');
    });
  });

  describe('many members at once, and a restart between votes', () => {
    let poll: PostedPoll;

    it('GIVEN a new poll THEN the paper the group has read is not offered again', async () => {
      poll = await openPoll('suggest 3');
      const read = (await readingStore(lab.services.sql).reads({ platform: 'discord', workspaceId: GUILD_ID, channelId: CHANNEL_ID })).map((r) => r.paperId);
      expect(read).toHaveLength(1);
      expect(poll.paperIds).not.toContain(read[0]);
    });

    it('GIVEN 30 members click Vote 1 and 10 others Vote 3 in one burst THEN every vote counts and a later edit shows them all', async () => {
      const clicks = [
        ...Array.from({ length: 30 }, (_, i) => ({ user: `9100000000000001${String(i).padStart(2, '0')}`, n: 1 })),
        ...Array.from({ length: 10 }, (_, i) => ({ user: `9200000000000001${String(i).padStart(2, '0')}`, n: 3 })),
      ];
      const answers = await Promise.all(clicks.map(({ user, n }) => lab.discordClick(discordButton(poll.message, `Vote ${n}`), poll.message, member(user))));
      for (const a of answers) expect(a.type).toBe(UPDATE_MESSAGE);
      expect((await readingStore(lab.services.sql).tally(poll.pollId)).map((o) => o.votes)).toEqual([30, 0, 10]);
      expect(await readingStore(lab.services.sql).voterCount(poll.pollId)).toBe(40);
      expect(Math.max(...answers.map((a) => discordVoteCounts(a.data!)[0]))).toBe(30);
      expect(Math.max(...answers.map((a) => discordVoteCounts(a.data!)[2]))).toBe(10);

      await lab.discordCommand('vote 2', member(OPENER));
      expect(discordVoteCounts(lastPatch(poll.message.id))).toEqual([30, 1, 10]);
    });

    it('GIVEN the bot restarts on the same database THEN a click on the poll posted before still counts and updates that message', async () => {
      const identifiesBefore = lab.discord.identifies;
      await lab.restart();
      expect(lab.discord.identifies).toBe(identifiesBefore + 1);

      const answer = await lab.discordClick(discordButton(poll.message, 'Vote 2'), poll.message, member('930000000000000001'));
      expect(answer.type).toBe(UPDATE_MESSAGE);
      expect(discordVoteCounts(answer.data!)).toEqual([30, 2, 10]);

      const patchesBefore = patchesOf(poll.message.id).length;
      await lab.discordCommand('vote 2', member('930000000000000002'));
      expect(patchesOf(poll.message.id).length).toBe(patchesBefore + 1);
      expect(discordVoteCounts(lastPatch(poll.message.id))).toEqual([30, 3, 10]);
      expect(await readingStore(lab.services.sql).voterCount(poll.pollId)).toBe(43);
    });
  });

  describe('servers never mix: an interaction from server B reaches nothing of server A (issue 15)', () => {
    const OTHER_GUILD = '777777777777777777';
    // Manage Channels in server B, so only the server stands between the click and the poll.
    const intruder: Who = { userId: '940000000000000001', permissions: PERMISSIONS.channelManager, channelId: CHANNEL_ID, guildId: OTHER_GUILD };

    it('GIVEN an open poll in server A THEN its Vote and Close buttons clicked from server B, and a typed vote naming it, neither count, close nor show it', async () => {
      const open = await readingStore(lab.services.sql).openPoll({ platform: 'discord', workspaceId: GUILD_ID, channelId: CHANNEL_ID });
      expect(open).not.toBeNull();
      const message = { ...lastPatch(open!.messageRef!.messageId), id: open!.messageRef!.messageId };
      const votesBefore = (await readingStore(lab.services.sql).tally(open!.id)).map((o) => o.votes);
      const patchesBefore = patchesOf(message.id).length;
      for (const label of ['Vote 1', 'Close poll']) {
        const answer = await lab.discordClick(discordButton(message, label), message, intruder);
        expect(answer.type).toBe(4);
        expect(answer.data?.flags).toBe(EPHEMERAL);
        expect(discordText(answer.data!)).toContain(`This channel has no poll #${open!.id}`);
        expect(discordVoteCounts(answer.data!)).toEqual([]);
      }
      expect(discordText((await lab.discordCommand(`vote 1 #${open!.id}`, intruder)).data!)).toContain(`This channel has no poll #${open!.id}`);
      expect((await readingStore(lab.services.sql).tally(open!.id)).map((o) => o.votes)).toEqual(votesBefore);
      expect((await lab.poll(open!.id)).closedAt).toBeNull();
      expect(patchesOf(message.id)).toHaveLength(patchesBefore);
    });

    it('GIVEN server A has a reading history in a channel THEN /paper history from server B naming that channel sees none of it', async () => {
      const read = (await readingStore(lab.services.sql).reads({ platform: 'discord', workspaceId: GUILD_ID, channelId: CHANNEL_ID })).map((r) => paper(r.paperId));
      expect(read.length).toBeGreaterThan(0);
      const theirs = (await lab.discordCommand('history', intruder)).data!;
      expect(discordText(theirs)).toContain('has not marked any paper read yet');
      expect(theirs.embeds ?? []).toEqual([]);
      const ours = (await lab.discordCommand('history', member(OPENER))).data!;
      expect(ours.embeds?.map((e) => e.url)).toEqual(expect.arrayContaining(read.map((p) => p.url)));
    });
  });
});
