import { en } from './en.js';
import { defineMessages } from './index.js';
import { zh } from './zh.js';

/** The core's messages (apology, labels on paper cards, shared button labels): `text(lang, key, values)`. */
export const coreText = defineMessages({ en, zh });
