/** How many askers' last results are kept; the oldest asker is forgotten first. */
const MAX_ASKERS = 1000;

/**
 * Each asker's last search results in a channel, so `show 2` means the second paper of the list
 * they were just shown. Kept in memory per running bot (a restart forgets them, which costs a
 * search); keyed by the services so two bots in one process (tests) never share them.
 */
const byServices = new WeakMap<object, Map<string, string[]>>();

/** Who asked where: the invocation's platform, channel and user. */
type Asker = { platform: string; channelId: string; userId: string };

const key = (asker: Asker) => `${asker.platform}\u0000${asker.channelId}\u0000${asker.userId}`;

export function rememberResults(services: object, invocation: Asker, paperIds: string[]): void {
  let recent = byServices.get(services);
  if (!recent) byServices.set(services, (recent = new Map()));
  const k = key(invocation);
  recent.delete(k);
  recent.set(k, paperIds);
  if (recent.size > MAX_ASKERS) recent.delete(recent.keys().next().value!);
}

/** The id of the nth (1-based) paper of the asker's last results here, if there is one. */
export function recentResult(services: object, invocation: Asker, n: number): string | undefined {
  return byServices.get(services)?.get(key(invocation))?.[n - 1];
}
