/** Vocabularies and tokenizers: orders, reserved tokens, unknown handling, round trips. */
import { describe, expect, it } from 'vitest';
import { data, tensor } from '../../../engine/src/index.js';

const { Vocab, tokenize, lettersOnly, CharTokenizer, WordTokenizer } = data;

describe('Vocab', () => {
  it('frequency order: reserved tokens first, then by count, ties by first appearance', () => {
    const v = new Vocab(tokenize('hello world'), { pad: true });
    expect(v.idxToTokenList).toEqual(['<unk>', '<pad>', 'l', 'o', 'h', 'e', ' ', 'w', 'r', 'd']);
    expect(v.length).toBe(10);
    expect(v.tokenFreqs.slice(0, 3)).toEqual([
      ['l', 3],
      ['o', 2],
      ['h', 1],
    ]);
    expect([v.unk, v.pad, v.bos, v.eos]).toEqual([0, 1, null, null]);
  });

  it("alphabetical order is D2L 1.0's: everything sorted by code point, <unk> included", () => {
    const v = new Vocab(tokenize('hello world'), { order: 'alphabetical' });
    expect(v.idxToTokenList).toEqual([' ', '<unk>', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    // Code points, as Python's sorted(): U+FB01 before U+1F600 (UTF-16 order would swap them).
    const w = new Vocab(['\u{1F600}', 'a', '\uFB01', 'Z'], { order: 'alphabetical' });
    expect(w.idxToTokenList).toEqual(['<unk>', 'Z', 'a', '\uFB01', '\u{1F600}']);
  });

  it('all four reserved tokens, extra reserved tokens, and minFreq', () => {
    const v = new Vocab([['a', 'b', 'a'], ['c', 'a', 'b']], { pad: true, bos: true, eos: true, reservedTokens: ['<mask>'], minFreq: 2 });
    expect(v.idxToTokenList).toEqual(['<unk>', '<pad>', '<bos>', '<eos>', '<mask>', 'a', 'b']);
    expect([v.unk, v.pad, v.bos, v.eos]).toEqual([0, 1, 2, 3]);
    expect(v.tokenToIdx('c')).toBe(0);
    expect(v.has('c')).toBe(false);
  });

  it('a reserved token that also occurs in the text keeps its reserved index', () => {
    const v = new Vocab(['<pad>', 'x', '<pad>', '<pad>'], { pad: true });
    expect(v.idxToTokenList).toEqual(['<unk>', '<pad>', 'x']);
  });

  it('encode/decode, unknown tokens, and no <unk>', () => {
    const v = new Vocab(tokenize('abcab'));
    expect(v.encode(['a', 'z', 'c'])).toEqual([1, 0, 3]);
    expect(v.decode([1, 2, 3])).toEqual(['a', 'b', 'c']);
    expect(v.decode(tensor([[1, 3], [2, 0]], { dtype: 'int32' }))).toEqual(['a', 'c', 'b', '<unk>']);
    expect(() => v.idxToToken(4)).toThrow(/index number 4 is out of range for a vocabulary of 4 tokens/);
    expect(() => v.decode([1.5])).toThrow(/out of range/);
    const strict = new Vocab(tokenize('ab'), { unk: false });
    expect(strict.unk).toBeNull();
    expect(() => strict.tokenToIdx('z')).toThrow(/unknown token "z", and the vocabulary has no <unk>/);
    expect(() => v.encode('abc' as never)).toThrow(/got a string; split it first/);
    expect(() => new Vocab('abc' as never)).toThrow(/got a string; split it first/);
    expect(() => new Vocab([1, 2] as never)).toThrow(/tokens must be strings, got number 1/);
    expect(() => new Vocab([], { minFreq: -1 })).toThrow(/minFreq must be a number >= 0/);
    expect(() => new Vocab([], { order: 'random' as never })).toThrow(/order must be 'frequency' or 'alphabetical'/);
  });

  it('toJSON / fromJSON restore the same indices', () => {
    const v = new Vocab(tokenize('the quick brown fox', 'char'), { pad: true, eos: true });
    const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.idxToTokenList).toEqual(v.idxToTokenList);
    expect(back.encode(['q', '?'])).toEqual(v.encode(['q', '?']));
    expect([back.pad, back.eos]).toEqual([v.pad, v.eos]);
    expect(() => Vocab.fromTokens(['a', 'a'])).toThrow(/appears twice/);
    expect(() => Vocab.fromTokens(['a'], { unk: '<unk>' })).toThrow(/not among the tokens/);
    expect(String(v)).toMatch(/^Vocab\(\d+ tokens: "<unk>", "<pad>", "<eos>"/);
  });
});

describe('tokenizers', () => {
  it('tokenize splits characters by code point and words on whitespace runs', () => {
    expect(tokenize('a😀b')).toEqual(['a', '😀', 'b']);
    expect(tokenize('  to be,\n or\tnot  ', 'word')).toEqual(['to', 'be,', 'or', 'not']);
    expect(tokenize('', 'word')).toEqual([]);
    expect(() => tokenize('x', 'byte' as never)).toThrow(/level must be 'char' or 'word'/);
    expect(() => tokenize(3 as never)).toThrow(/expects a string of text, got number 3/);
  });

  it("lettersOnly is D2L's Time Machine preprocessing", () => {
    expect(lettersOnly('The Time-Machine, by H. G. Wells [1898]\n\nI')).toBe('the time machine by h g wells i');
    expect(lettersOnly("Don't  stop!")).toBe('don t stop ');
  });

  it('CharTokenizer encodes and decodes, with <bos>/<eos> and skipping specials', () => {
    const tok = CharTokenizer.fromText('abracadabra', { bos: true, eos: true, pad: true });
    expect(tok.vocab.idxToTokenList).toEqual(['<unk>', '<pad>', '<bos>', '<eos>', 'a', 'b', 'r', 'c', 'd']);
    expect(tok.encode('cab!')).toEqual([7, 4, 5, 0]);
    expect(tok.encode('ab', { bos: true, eos: true })).toEqual([2, 4, 5, 3]);
    expect(tok.decode([2, 7, 4, 5, 3, 1])).toBe('<bos>cab<eos><pad>');
    expect(tok.decode([2, 7, 4, 5, 3, 1], { skipSpecial: true })).toBe('cab');
    const plain = CharTokenizer.fromText('ab');
    expect(() => plain.encode('a', { eos: true })).toThrow(/needs a vocabulary with <eos>/);
  });

  it('WordTokenizer joins words with spaces', () => {
    const tok = WordTokenizer.fromText('the cat saw the dog and the cat');
    expect(tok.vocab.idxToTokenList).toEqual(['<unk>', 'the', 'cat', 'saw', 'dog', 'and']);
    expect(tok.encode('the bird saw')).toEqual([1, 0, 3]);
    expect(tok.decode(tok.encode('the dog saw the cat'))).toBe('the dog saw the cat');
    expect(() => new WordTokenizer({} as never)).toThrow(/WordTokenizer: expects a Vocab/);
  });
});
