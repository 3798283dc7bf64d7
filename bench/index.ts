// `npm run bench`: every benchmark in one run, one after another so they do not compete for the two cores.
const suites: { name: string; load: () => Promise<{ run(): Promise<unknown> }> }[] = [
  { name: 'search', load: () => import('./search.js') },
  { name: 'catalog', load: () => import('./catalog.js') },
  { name: 'slack', load: () => import('./slack.js') },
  { name: 'discord', load: () => import('./discord.js') },
  { name: 'spotlight', load: () => import('./spotlight.js') },
  { name: 'ops', load: () => import('./ops.js') },
  { name: 'digest', load: () => import('./digest.js') },
  { name: 'replicas', load: () => import('./replicas.js') },
];

const only = process.argv.slice(2);
for (const suite of suites) {
  if (only.length && !only.includes(suite.name)) continue;
  console.log(`\n=== ${suite.name} ===`);
  const { run } = await suite.load();
  await run();
}
