/**
 * discord.js wants the API root without a version (`https://discord.com/api`); DISCORD_API_URL may be
 * written with a trailing slash or `/v10`.
 */
export function restBase(apiUrl: string | undefined): string | undefined {
  if (!apiUrl) return undefined;
  return apiUrl.replace(/\/+$/, '').replace(/\/v\d+$/, '');
}
