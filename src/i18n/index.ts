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

export function localize(text: LocalText, lang: Lang): string {
  return lang === 'zh' && text.zh ? text.zh : text.en;
}

const pluralRules = { en: new Intl.PluralRules('en'), zh: new Intl.PluralRules('zh') };

/** The form of a counted word for `count` in `lang`, by the language's own rules (Intl.PluralRules). */
function plural(lang: Lang, count: number, forms: { one?: string; other: string }): string {
  const category = pluralRules[lang].select(count);
  return (category === 'one' ? forms.one : undefined) ?? forms.other;
}

/** `3 papers`, `1 paper`: a count and its word in English's plural rules. */
export function countOf(count: number, one: string, other = `${one}s`): string {
  return `${count} ${plural('en', count, { one, other })}`;
}

/** A message: plain text, or text built from named values. */
type Message = string | ((values: never) => string);
type ValuesOf<M> = M extends (values: infer V) => string ? [values: V] : [];

/**
 * One catalog per language with the same keys. `zh` is typed by `en`, so a key missing (or extra)
 * in Chinese is a compile error, not a user's discovery. Features ask for a key and pass values.
 */
export type Messages<M extends Record<string, Message>> = {
  /** The message in `lang`. */
  text<K extends keyof M>(lang: Lang, key: K, ...values: ValuesOf<M[K]>): string;
  /** The message in both languages, for errors localized later (UserError). */
  both<K extends keyof M>(key: K, ...values: ValuesOf<M[K]>): LocalText;
};

export function defineMessages<M extends Record<string, Message>>(catalogs: { en: M; zh: NoInfer<M> }): Messages<M> {
  const render = (lang: Lang, key: keyof M, values: unknown[]): string => {
    const message = catalogs[lang][key] as Message;
    return typeof message === 'string' ? message : (message as (values: unknown) => string)(values[0]);
  };
  return {
    text: (lang, key, ...values) => render(lang, key, values),
    both: (key, ...values) => ({ en: render('en', key, values), zh: render('zh', key, values) }),
  };
}
