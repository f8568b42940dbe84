/**
 * `decoding`: turning a model's next-token scores into text — greedy choice, sampling
 * with a temperature and top-k, and beam search.
 * @example
 * decoding.sampleNext(logits, { temperature: 0.8, topK: 10 });
 * decoding.beamSearch(step, { beamSize: 4, bos, eos });
 */
export { sampleNext, nextTokenProbabilities, type SamplingOptions } from './sampling.js';
export { beamSearch, type BeamSearchOptions, type BeamStep, type Hypothesis } from './beam-search.js';
