import type { Language } from '../languages';
import type { Catalog } from './catalog';
import { en } from './en';
import { fr } from './fr';

export type { Catalog, Notice } from './catalog';
export { NOTICES } from './catalog';

/** One catalog per language. */
export const CATALOGS: Record<Language, Catalog> = { en, fr };
