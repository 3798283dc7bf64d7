/** The two languages paperbot speaks. English is the reference; Chinese is the list's original audience. */
export type Lang = 'en' | 'zh';

/** A message in English, with a Chinese version where one has been written. */
export type LocalText = { en: string; zh?: string };

const HAN = /\p{Script=Han}/u;

/** A query is Chinese as soon as it holds one Han character: titles are English-only, so Han text is always the user's. */
export function detectLang(text: string): Lang {
  return HAN.test(text) ? 'zh' : 'en';
}

export function hasHan(text: string): boolean {
  return HAN.test(text);
}

/** The English or the Chinese text, by `lang`: for messages written inline in both languages. */
export function tr(lang: Lang, en: string, zh: string): string {
  return lang === 'zh' ? zh : en;
}

export function localize(text: LocalText, lang: Lang): string {
  return lang === 'zh' && text.zh ? text.zh : text.en;
}
