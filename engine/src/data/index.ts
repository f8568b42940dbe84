/**
 * `data`: text to model inputs. Tokenizers and vocabularies, the corpora loader,
 * language-model minibatches (D2L's random and sequential partitioning), and padding
 * with masks for batches of variable-length sequences.
 *
 * @example
 * const { corpus, vocab } = await data.loadTimeMachine('data/timemachine.txt');   // 28 tokens
 * const { train, val } = data.splitCorpus(corpus, { valFraction: 0.1 });
 * for (const [X, Y] of data.seqDataIterRandom(train, 32, 35)) { ... }      // int32 [32, 35]
 */
export { Vocab, UNK, PAD, BOS, EOS, type VocabOptions, type VocabJSON } from './vocab.js';
export { tokenize, lettersOnly, Tokenizer, CharTokenizer, WordTokenizer, type TokenLevel, type EncodeOptions, type DecodeOptions } from './tokenizers.js';
export {
  seqDataIterRandom,
  seqDataIterSequential,
  SeqDataLoader,
  splitCorpus,
  type Corpus,
  type SeqIterOptions,
  type SeqDataLoaderOptions,
} from './language-model.js';
export { padSequence, lengthsToMask, padBatch, type PadOptions, type PaddedBatch } from './padding.js';
export { CORPORA, buildCorpus, loadCorpus, loadTimeMachine, type CorpusOptions, type LoadedCorpus } from './corpora.js';
export { readText, readFileBytes, setFileBase, fileBase } from '../io/files.js';
