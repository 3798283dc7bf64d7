import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaperbot } from '../../src/app.js';
import { main } from '../../adapters/cli/index.js';
import { loadConfig } from '../../src/config.js';
import { HostPacer, HttpClient } from '../../src/net/index.js';
import { consoleBot, type ConsoleBot } from '../helpers/console-bot.js';
import { tempDbPath } from '../helpers/temp-db.js';
import { FakeSources, fixture } from '../fakes/sources.js';

const fake = new FakeSources();
let env: Record<string, string>;
let bot: ConsoleBot;

function fastHttp(): HttpClient {
  const pacer = new HostPacer();
  const http = new HttpClient({ userAgent: 'paperbot/test', pacer, sleep: async () => undefined, timeoutMs: 20_000 });
  // arXiv's 3-second spacing is the net tests' business; here it would only slow the suite down.
  pacer.configure(fake.settings().arxivApiUrl, { concurrency: 1, intervalCap: 100, intervalMs: 1000 });
  return http;
}

beforeAll(async () => {
  await fake.start();
  env = fake.env();
  bot = await consoleBot({ env, http: fastHttp() });
});
afterAll(async () => {
  bot.close();
  await fake.stop();
});

const as = (canManageChannel: boolean, text: string) =>
  bot.paperbot.bot.handle({ text, platform: 'slack', channelId: 'C1', userId: 'U1', canManageChannel, trigger: 'command' });

describe('/paper add', () => {
  it('adds by arXiv id, DOI and PMID at once, and the next query finds them', async () => {
    expect(bot.paperbot.services.search.search('arabidopsis hypocotyl').total).toBe(0);
    const reply = await as(false, 'add arXiv:2202.12139v1 https://doi.org/10.7554/eLife.01567 PMID:32820036');
    expect(reply.kind).toBe('paper-added');
    expect(reply.data?.added).toHaveLength(3);
    expect(reply.cards[0].lines.join('\n')).toContain('arXiv:2202.12139v1');
    expect(bot.paperbot.services.search.search('arabidopsis hypocotyl').hits[0]?.paper.doi).toBe('10.7554/elife.01567');
    expect(bot.paperbot.services.search.search('medulloblastoma').total).toBe(1);
  });

  it('merges the same work reached again through another identifier', async () => {
    const reply = await as(false, 'add PMID:24520159');
    // PubMed has no such record in the fake; OpenAlex names its DOI, which the catalog already holds.
    expect(reply.kind).toBe('paper-added');
    expect(reply.data?.merged).toHaveLength(1);
    expect(reply.intro.join(' ')).toContain('merged');
  });

  it('answers each bad identifier by name with what to try, adding nothing for it', async () => {
    const before = bot.paperbot.services.papers.length;
    const reply = await as(false, 'add 10.9999/unknown not-an-id 2401.99999');
    expect(reply.kind).toBe('error');
    const text = reply.intro.join('\n');
    expect(text).toContain('doi:10.9999/unknown');
    expect(text).toContain('not-an-id');
    expect(text).toContain('arXiv:2401.99999');
    expect(text).toMatch(/identifiers look like/);
    expect(bot.paperbot.services.papers.length).toBe(before);
    fake.fail('crossref', 'html');
    fake.fail('openalex', 'html');
    const down = await as(false, 'add 10.7554/eLife.01567');
    expect(down.intro.join('\n')).toMatch(/web page.*try again later/);
  });

  it('refuses more than ten identifiers', async () => {
    const reply = await as(false, `add ${Array.from({ length: 11 }, (_, i) => `PMID:${i + 1}`).join(' ')}`);
    expect(reply.kind).toBe('error');
    expect(reply.data?.code).toBe('too-many');
  });
});

describe('/paper tag, remove and cite', () => {
  it('a person corrects tags, and a channel manager alone removes a paper', async () => {
    const id = bot.paperbot.services.search.search('arabidopsis hypocotyl').hits[0].paper.id;
    const tagged = await as(false, `tag ${id} +region:lung -task:segmentation`);
    expect(tagged.kind).toBe('paper-tagged');
    expect(tagged.papers[0].personTags?.added).toContain('region:Lung');
    expect(bot.paperbot.services.search.search('lung arabidopsis').hits[0].paper.id).toBe(id);
    expect((await as(false, `tag ${id} region:lung`)).data?.code).toBe('bad-tag');

    expect((await as(false, `remove ${id}`)).data?.code).toBe('not-allowed');
    expect((await as(true, `remove ${id}`)).kind).toBe('paper-removed');
    expect(bot.paperbot.services.search.search('arabidopsis hypocotyl').total).toBe(0);
  });

  it('cites in BibTeX, RIS and APA', async () => {
    const id = bot.paperbot.services.search.search('medulloblastoma').hits[0].paper.id;
    const bibtex = await as(false, `cite ${id} bibtex`);
    expect(bibtex.intro[0]).toMatch(/^@article\{/);
    expect(bibtex.intro[0]).toContain('10.1101/gad.337584.120');
    expect((await as(false, `cite ${id} ris`)).intro[0]).toMatch(/^TY {2}- JOUR/);
    expect((await as(false, `cite ${id}`)).intro[0]).toContain('Kutscher, L.');
    expect((await as(false, `cite ${id} mla`)).data?.code).toBe('bad-format');
  });
});

describe('paperbot add | import | export', () => {
  it('adds from the command line, prints JSON like search --json, and a second process sees it', async () => {
    const tmp = tempDbPath();
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), stdin: process.stdin, env: { ...env, PAPERBOT_DB: tmp.dbPath, LOG_LEVEL: 'silent' } };
    expect(await main(['add', '10.7554/eLife.01567', '--json'], io)).toBe(0);
    const printed = JSON.parse(out.join('')) as { id: string; title: string }[];
    expect(printed[0].title).toContain('Automated quantitative histology');
    out.length = 0;
    expect(await main(['search', 'arabidopsis', '--json'], io)).toBe(0);
    expect((JSON.parse(out.join('')) as { id: string }[])[0].id).toBe(printed[0].id);
    expect(await main(['add', '10.9999/unknown'], io)).toBe(1);
    expect(err.join('')).toContain('doi:10.9999/unknown');
    tmp.cleanup();
  });

  it('imports the good entries of a library and lists the bad ones with their lines', async () => {
    const tmp = tempDbPath();
    const dir = join(tmp.dbPath, '..');
    const bib = join(dir, 'lab.bib');
    writeFileSync(
      bib,
      [
        '@article{ok1,', '  title = {Lung nodule detection in {CT} with {3D} {CNN}s},', '  author = {Li, Wei and Chen, Hao},', '  year = {2019},', '  doi = {10.1000/lung.1}', '}',
        '@article{notitle,', '  author = {Nobody, N.},', '  year = {2020}', '}',
        '@article{ok2,', '  title = {U-Net: Convolutional Networks for Biomedical Image Segmentation},', '  author = {Ronneberger, Olaf},', '  year = {2015},', '  eprint = {1505.04597}, archivePrefix = {arXiv}', '}',
      ].join('\n'),
    );
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: () => undefined, stdin: process.stdin, env: { ...env, PAPERBOT_DB: tmp.dbPath, LOG_LEVEL: 'silent' } };
    expect(await main(['import', bib], io)).toBe(0);
    const text = out.join('');
    expect(text).toContain('1 added, 1 merged, 1 skipped');
    expect(text).toContain(`${bib}:7: skipped: entry notitle has no title`);

    const ris = join(dir, 'lab.ris');
    writeFileSync(ris, fixture('ris-sciencedirect-export.ris') + fixture('ris-commonmeta-10.7554_elife.01567.ris') + '\nTY  - JOUR\nAU  - Cut, Off\n');
    out.length = 0;
    expect(await main(['import', ris, '--json'], io)).toBe(0);
    const summary = JSON.parse(out.join('')) as { added: string[]; skipped: { line: number; reason: string }[] };
    expect(summary.added).toHaveLength(2);
    expect(summary.skipped[0].reason).toContain('ER line');

    const csl = join(dir, 'zotero.json');
    writeFileSync(csl, fixture('zotero-better-csl-json-export.csl.json'));
    out.length = 0;
    expect(await main(['import', csl, '--json'], io)).toBe(0);
    expect((JSON.parse(out.join('')) as { added: string[] }).added.length).toBeGreaterThan(20);

    out.length = 0;
    expect(await main(['export', '--format', 'csl-json'], io)).toBe(0);
    const exported = JSON.parse(out.join('')) as { title: string; DOI?: string }[];
    expect(exported.some((i) => i.DOI === '10.1000/lung.1')).toBe(true);
    out.length = 0;
    expect(await main(['export', '--format', 'bibtex'], io)).toBe(0);
    expect(out.join('')).toContain('Lung nodule detection');

    // The bundled U-Net record took the arXiv id from the import, and a fresh process sees it.
    const again = await createPaperbot({ config: loadConfig({ PAPERBOT_DB: tmp.dbPath }) });
    expect(again.services.papers.find((p) => p.arxivId === '1505.04597')?.authors).toContain('Ronneberger, Olaf');
    again.close();
    tmp.cleanup();
  });
});

it('keeps the recorded fixtures byte-identical to their source note', () => {
  expect(readFileSync(new URL('../fixtures/sources/SOURCE.md', import.meta.url), 'utf8')).toContain('crossref-works-10.7554_elife.01567.json');
});

describe('enrich', () => {
  it('fills what bundled records lack through the identifier in their link, never a person\'s correction', async () => {
    const { makePaper } = await import('../helpers/papers.js');
    const unet = makePaper('u-net-2015', {
      title: 'U-Net: Convolutional Networks for Biomedical Image Segmentation',
      url: 'https://arxiv.org/abs/1505.04597',
      year: 2015,
      authors: [],
      regions: [],
    });
    const orphan = makePaper('no-link-2016', { url: '', authors: [] });
    const lab = await consoleBot({ env, http: fastHttp(), catalog: { papers: [unet, orphan] } });
    try {
      await lab.say('tag u-net-2015 +region:lung');
      const report = await lab.paperbot.services.catalog.enrich(lab.paperbot.services.catalog.lacking());
      expect(report.changes.map((c) => c.id)).toEqual(['u-net-2015']);
      expect(report.changes[0].changed).toEqual(expect.arrayContaining(['authors', 'abstract', 'arxivId']));
      expect(report.noIdentifier).toEqual(['no-link-2016']);
      const enriched = lab.paperbot.services.search.get('u-net-2015')!;
      expect(enriched.authors[0]).toBe('Ronneberger, Olaf');
      expect(enriched.title).toBe(unet.title);
      expect(enriched.regions.map((r) => r.en)).toEqual(['Lung']);
      expect(enriched.personTags?.added).toEqual(['region:Lung']);
    } finally {
      lab.close();
    }
  });
});
