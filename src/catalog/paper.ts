
/** Fields data/corrections.json may correct (kept here, beside Paper, so the two files do not import each other). */
export type CorrectableField = 'title' | 'venue' | 'year' | 'regions' | 'modalities' | 'techniques' | 'tasks' | 'authors';
export type FieldCorrection = { field: CorrectableField; was: string; why: string; source: string };

/** A bilingual label from the list's vocabulary: a body region or a task. */
export type Term = { en: string; zh: string };

export type Dataset = { name: string; url: string };

/** One paper, merged from every row and every source that lists it. */
export type Paper = {
  /** Stable and readable: a slug of the title and the year, e.g. `u-net-convolutional-networks-2015`. */
  id: string;
  title: string;
  /** Empty when the list gives no link. */
  url: string;
  year: number | null;
  /** Normalised short venue name: `MICCAI`, `IEEE-TMI`, `Medical Physics`, `arXiv`; empty when unknown. */
  venue: string;
  /** As the list writes them: `CNN`, `3D-CNN`, `U-Net`, `GAN`. */
  techniques: string[];
  /** As the list writes them: `MRI`, `CT`, `US`, `MG`, `H&E`. */
  modalities: string[];
  regions: Term[];
  tasks: Term[];
  datasets: Dataset[];
  /** From BibTeX where a source has the paper; `Family, Given` order as BibTeX gives it. */
  authors: string[];
  /** The paper's abstract when a source gives one (the living catalog adds them); searched below titles and labels. */
  abstract?: string;
  /** Fields that data/corrections.json corrected from what the published list says, with why and a source. */
  corrections?: FieldCorrection[];
  /** The catalog files the record was built from, or the services it was resolved from (`arxiv`, `crossref`…). */
  sources: string[];
  /** Lower case, without `https://doi.org/`. */
  doi?: string;
  /** Without version: `2401.01234`, `cs/0101001`. */
  arxivId?: string;
  arxivVersion?: number;
  pmid?: string;
  pmcid?: string;
  /** arXiv categories or MeSH terms. */
  subjects?: string[];
  /**
   * Tags inferred from title and abstract through the vocabulary (`region:lung`, `task:segmentation`,
   * `modality:CT`, `technique:GAN`), as opposed to tags from the list or from a person.
   */
  inferred?: string[];
  /** A person's corrections (`/paper tag`), applied after inference and never overwritten by it. */
  personTags?: { added: string[]; removed: string[] };
  /** `bundled` (from the list), `added` (from chat or `paperbot add`), `imported` (from a library file). */
  origin?: 'bundled' | 'added' | 'imported';
};
