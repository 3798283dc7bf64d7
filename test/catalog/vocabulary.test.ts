import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Vocabulary, VOCABULARY_PATH, type VocabularyFile } from '../../src/catalog/vocabulary.js';

const file = JSON.parse(readFileSync(VOCABULARY_PATH, 'utf8')) as VocabularyFile;
const vocabulary = new Vocabulary(file);

describe('the reviewed vocabulary (data/vocabulary.json)', () => {
  it('GIVEN every concept THEN it has an English and a Chinese label', () => {
    for (const c of file.concepts) {
      expect(c.en.trim(), c.id).not.toBe('');
      expect(c.zh.trim(), c.id).not.toBe('');
    }
  });

  it('GIVEN one synonym under two concepts THEN loading refuses, naming both', () => {
    const broken = structuredClone(file);
    broken.concepts.find((c) => c.id === 'heart')!.synonyms.push('pulmonary');
    expect(() => new Vocabulary(broken)).toThrow(/"pulmonary" \(heart\) already belongs to lung/);
  });

  it('GIVEN the list glossary THEN abbreviations, spelled-out forms and Chinese names meet in one concept', () => {
    const same = (...phrases: string[]) => new Set(phrases.map((p) => vocabulary.conceptOf(p)));
    expect(same('MR', 'MRI', 'magnetic resonance imaging', '核磁共振成像', '核磁共振')).toEqual(new Set(['mri']));
    expect(same('US', 'ultrasound', '医学超声检查', '超声')).toEqual(new Set(['us']));
    expect(same('MG', 'mammography', '乳房摄影术')).toEqual(new Set(['mg']));
    expect(same('H&E', 'histology', 'histopathology', '病理', '苏木精—伊红染色法')).toEqual(new Set(['he']));
    expect(same('CT', 'computed tomography', '计算机断层扫描')).toEqual(new Set(['ct']));
    expect(same('U-Net', 'unet')).toEqual(new Set(['unet']));
    expect(same('3D-CNN', '3d cnn', '三维卷积神经网络')).toEqual(new Set(['cnn-3d']));
    expect(same('cardiac', 'heart', '心脏')).toEqual(new Set(['heart']));
    expect(same('dermatology', 'skin', '皮肤')).toEqual(new Set(['skin']));
    expect(same('fundus', 'retina', '眼底', '视网膜')).toEqual(new Set(['retina']));
    expect(same('lung', 'pulmonary', '肺')).toEqual(new Set(['lung']));
  });

  it('GIVEN Chinese without spaces THEN it is segmented by longest vocabulary word, leftovers one character each', () => {
    expect(vocabulary.tokens('肝脏分割')).toEqual(['肝脏', '分割']);
    expect(vocabulary.tokens('胎儿超声')).toEqual(['胎儿', '超声']);
    expect(vocabulary.tokens('肺结节')).toEqual(['肺', '结节']);
    expect(vocabulary.tokens('肺的病')).toEqual(['肺', '的', '病']);
  });

  it('GIVEN each known mistranslation THEN its English side is a concept of the vocabulary', () => {
    expect(vocabulary.conceptOf('Annotation', new Set(['task']))).toBe('annotation');
    expect(vocabulary.conceptOf('Registration', new Set(['task']))).toBe('registration');
    for (const c of file.corrections.area) {
      for (const part of c.en.split(',')) expect(vocabulary.conceptOf(part.trim(), new Set(['region'])), part).not.toBeNull();
    }
  });
});
