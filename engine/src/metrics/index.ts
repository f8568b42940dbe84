/**
 * `metrics`: how good generated text is. BLEU for translation (corpus and sentence level).
 * @example metrics.bleu(hypotheses, references).score   // 0–100
 */
export { bleu, sentenceBleu, type BleuOptions, type BleuScore } from './bleu.js';
