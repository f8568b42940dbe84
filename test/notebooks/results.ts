/**
 * The key results each lecture notebook states, read from its executed outputs (stream text,
 * Markdown tables, text summaries) and held to thresholds: what the prose claims must be what
 * the notebook computed. Thresholds are generous (seeded runs, but float rounding and thread
 * counts may move the last digits); ratios of times are measured within one run.
 */
import { type Notebook, text } from './clients.js';

/** Everything a notebook printed or displayed as text, cell after cell. */
export function outputText(nb: Notebook): string {
  const parts: string[] = [];
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      if (o.output_type === 'stream') parts.push(text((o as { text?: string | string[] }).text));
      const d = o.data ?? {};
      for (const mime of ['text/markdown', 'text/plain']) if (typeof d[mime] === 'string' || Array.isArray(d[mime])) parts.push(text(d[mime] as string | string[]));
    }
  }
  return parts.join('\n');
}

/** One claim: a regular expression whose groups are numbers, and what they must satisfy. */
export interface KeyResult {
  what: string;
  pattern: RegExp;
  check: (...values: number[]) => boolean;
}

/** The numbers in a captured group: "6.87", "1,234", or several as in "2.4e-15, 1.3e-14, 5.4e-16" or "0.00 1.71". */
export const numbersIn = (s: string) => (s.replace(/(\d),(?=\d{3}\b)/g, '$1').match(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi) ?? []).map(Number);

/** Checks every key result of a notebook against its output text; returns the failures. */
export function failedResults(output: string, results: KeyResult[]): string[] {
  return results.flatMap((r) => {
    const m = output.match(r.pattern);
    if (!m) return [`${r.what}: not found in the outputs (${r.pattern})`];
    const values = m.slice(1).flatMap((g) => numbersIn(g ?? ''));
    return r.check(...values) ? [] : [`${r.what}: ${m[0].trim()} does not satisfy ${r.check.toString()}`];
  });
}

/** A table row's cell values after its label, e.g. "| 4 | 1.4e+8, 1.2e+7, 3.4e+7 |". */
const row = (label: string) => new RegExp(`\\| ${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\| ([^\\n]*)`);

export const KEY_RESULTS: Record<string, KeyResult[]> = {
  '01-recurrent-neural-networks': [
    { what: 'the hand-written recurrence equals nn.RNN', pattern: /largest difference from the hand-written loop: ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'validation perplexity of the character RNN after 300 steps', pattern: /after 300 steps: validation perplexity ([\d.]+)/, check: (p) => p < 7.5 },
    { what: 'bidirectional RNN: the forward half at step 0 does not see the last input', pattern: /step 0's forward half moves by ([\d.e+-]+)/, check: (d) => d === 0 },
    { what: 'bidirectional RNN: the backward half at step 0 does', pattern: /its backward half by ([\d.]+)/, check: (d) => d > 0 },
    { what: 'left-to-right tagger beats always "no"', pattern: /\| always "no" \| ([\d.]+) % \|\n\| RNN, left to right \| ([\d.]+) %/, check: (no, lr) => lr > no },
    { what: 'bidirectional tagger: nearly every position right, well above left to right', pattern: /\| RNN, left to right \| ([\d.]+) % \|\n\| RNN, bidirectional \| \*\*([\d.]+) %/, check: (lr, bi) => bi >= 99 && bi - lr >= 5 },
  ],
  '02-backpropagation-through-time': [
    { what: 'linear recurrence: autograd equals ρ^(T−1) for ρ = 1.2', pattern: /\| ρ = 1.2 \| ([\d.e+-]+) \| ([\d.e+-]+) \|/, check: (a, b) => Math.abs(a - b) / b < 1e-3 },
    { what: 'tanh RNN, gain 4: the gradient explodes on every seed', pattern: row('4'), check: (...v) => v.length === 3 && v.every((x) => x > 1e3) },
    { what: 'tanh RNN, gain 0.5: the gradient vanishes on every seed', pattern: row('0.5'), check: (...v) => v.length === 3 && v.every((x) => x < 1e-6) },
    { what: 'without clipping the loss is NaN after the first step', pattern: /steps with a finite loss: (\d+) of 80/, check: (n) => n <= 2 },
    { what: 'with clipping the model learns', pattern: /with clipping: last loss ([\d.]+)/, check: (l) => l < 3.2 },
    { what: 'clipping scales every gradient entry by c', pattern: /up to a relative ([\d.e+-]+)/, check: (d) => d < 1e-5 },
  ],
  '03-lstm-and-gru': [
    { what: 'the LSTM equations equal nn.LSTMCell (first C_t entry)', pattern: /C_t by the equations: \[ ([\d.-]+),[^\]]*\]\s+by nn.LSTMCell: \[ ([\d.-]+),/, check: (a, b) => Math.abs(a - b) < 1e-5 },
    { what: 'the GRU equations equal nn.GRUCell (first entry)', pattern: /h_t by the equations: \[ ([\d.-]+),[^\]]*\]\s+by nn.GRUCell: \[ ([\d.-]+),/, check: (a, b) => Math.abs(a - b) < 1e-5 },
    { what: 'RNN stays near chance on the 79-step task', pattern: /\| RNN \| \d+ \| [\d]+ % \/ [\d]+ % \/ [\d]+ % \/ ([\d]+) % \|/, check: (a) => a <= 65 },
    { what: 'LSTM with gate biases learns the 79-step task', pattern: /\| LSTM, gate biases 4 \/ −2 \| \d+ \| [\d]+ % \/ [\d]+ % \/ [\d]+ % \/ ([\d]+) % \|/, check: (a) => a >= 95 },
    { what: 'GRU with an update-gate bias learns it too', pattern: /\| GRU, update-gate bias 4 \| \d+ \| [\d]+ % \/ [\d]+ % \/ [\d]+ % \/ ([\d]+) % \|/, check: (a) => a >= 95 },
    { what: 'seeds 0-2: the RNN stays at chance', pattern: /\| RNN \| (\d+) % \| (\d+) % \| (\d+) % \|/, check: (...a) => a.every((x) => x <= 65) },
    { what: 'seeds 0-2: the LSTM learns', pattern: /\| LSTM \| (\d+) % \| (\d+) % \| (\d+) % \|/, check: (...a) => a.every((x) => x >= 95) },
    { what: "the notes' C_t = i_t ⊙ C̃_t loses the memory", pattern: /C_t = f_t ⊙ C_\{t−1\} \+ i_t ⊙ C̃_t: ([\d.]+) %;\s+C_t = i_t ⊙ C̃_t \(the notes\): ([\d.]+) %/, check: (full, notes) => full >= 95 && notes <= 65 },
    { what: 'LSTM language model beats the RNN of the same width', pattern: /\| RNN \| [\d,]+ \| \*\*([\d.]+)\*\* \|[^\n]*\n\| LSTM \| [\d,]+ \| \*\*([\d.]+)\*\*/, check: (rnn, lstm) => lstm < rnn && lstm < 6.5 },
    { what: 'gates are not binary: a large share of forget-gate values lies in (0.1, 0.9)', pattern: /forget: (\d+) %, input: (\d+) %, output: (\d+) %/, check: (...v) => v.every((x) => x >= 15) },
  ],
  '04-attention': [
    { what: 'the kitten query pools about 3.6 legs', pattern: /kitten → ([\d.]+) legs, ([\d.]+) wheels/, check: (legs, wheels) => legs > 3 && legs < 4 && wheels < 0.5 },
    { what: 'd = 1024: unscaled softmax saturates, scaled does not', pattern: /\| 1024 \| [\d.]+ \| 32.0 \| ([\d.]+) \| ([\d.]+) \|/, check: (raw, scaled) => raw > 0.9 && scaled < 0.45 },
    { what: 'A V equals F.scaledDotProductAttention', pattern: /largest difference from F.scaledDotProductAttention: ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'additive attention by the formula equals the module', pattern: /output difference \(formula vs module\): ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'a changed input moves only its own key', pattern: /keys move by ([\d. ]+?) ;/, check: (...v) => v.length === 4 && v[2]! > 0 && [0, 1, 3].every((i) => v[i] === 0) },
  ],
  '05-encoder-decoder-attention': [
    { what: 'the encoder keeps one vector per source word', pattern: /encoder outputs \(what the decoder attends over\) \[ 3, (\d+), (\d+) \]/, check: (steps, hidden) => steps > 1 && hidden === 32 },
    { what: 'held-out sentences translated exactly (seed 1)', pattern: /\| \*\*exact\*\* \| \*\*(\d+) \/ 14\*\*/, check: (n) => n >= 13 },
    { what: 'BLEU of the trained model, greedy', pattern: /\| after 200 steps \| greedy \| \d+ \/ 14 \| \*\*([\d.]+)\*\*/, check: (b) => b >= 95 },
    { what: 'BLEU of the trained model, beam search', pattern: /\| after 200 steps \| beam, k = 4 \| \d+ \/ 14 \| \*\*([\d.]+)\*\*/, check: (b) => b >= 95 },
    { what: 'the half-trained model: BLEU gives partial credit where exact match does not', pattern: /\| after 40 steps \| greedy \| (\d+) \/ 14 \| \*\*([\d.]+)\*\*/, check: (exact, b) => exact < 14 && b > (100 * exact) / 14 },
    { what: 'content words align with their translations', pattern: /\| \*\*content, all\*\* \| \| \*\*\d+ \/ \d+\*\* \| \*\*(\d+) %\*\*/, check: (p) => p >= 85 },
    { what: 'seed 2 also translates the held-out set and aligns', pattern: /\| 2 \| (\d+) \/ 14 \| ([\d.]+) \| (\d+) % \|/, check: (exact, b, align) => exact >= 12 && b >= 85 && align >= 80 },
  ],
  '06-transformer': [
    { what: 'a shift by k is one linear map of the encoding', pattern: /over 95 positions: ([\d.e+-]+)/, check: (d) => d < 1e-4 },
    { what: 'the feed-forward network is position-wise', pattern: /one position at a time, largest difference: ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'the encoder outputs a vector per source token', pattern: /encoder output \(memory\): \[ 3, 7, 32 \]/, check: () => true },
    { what: 'the causal mask: earlier decoder positions do not move', pattern: /per position: ([\d.e+-]+)\s+([\d.e+-]+)\s+([\d.e+-]+)\s+([\d.e+-]+)/, check: (a, b, c, d) => a === 0 && b === 0 && c > 0 && d > 0 },
    { what: 'the padding mask: padding changes nothing', pattern: /real positions change by ([\d.e+-]+) ; decoder outputs by ([\d.e+-]+)/, check: (a, b) => a === 0 && b === 0 },
  ],
  '07-training-transformers': [
    { what: 'the reversal model reverses held-out sequences', pattern: /exactly reversed: (\d+) \/ 200/, check: (n) => n >= 190 },
    { what: '"je suis étudiant" → "i am a student"', pattern: /\*\*je suis étudiant\*\* → \*\*i am a student\*\*()/, check: () => true },
    { what: 'held-out French → English, exact', pattern: /\| \*\*exact\*\* \| \*\*(\d+) \/ (\d+)\*\*/, check: (k, n) => k >= n - 1 },
    { what: 'BLEU of the trained translator, greedy and beam', pattern: /\| after 200 steps \| greedy \(beam, k = 1\) \| \d+ \/ \d+ \| ([\d.]+) \|\n\| after 200 steps \| beam, k = 4 \| \d+ \/ \d+ \| ([\d.]+) \|/, check: (g, b) => g >= 95 && b >= 95 },
  ],
  '08-self-attention': [
    { what: 'one head by hand equals nn.MultiheadAttention', pattern: /output: by hand vs nn.MultiheadAttention, largest difference: ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'self-attention is permutation-equivariant', pattern: /without positions: \|f\(shuffled X\) − shuffled f\(X\)\| = ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'supervised pointer: "it" finds the referent', pattern: /\| the chaser \(it = A\) \| \d+ \| ([\d.]+) % \|[^\n]*\n\| the chased \(it = B\) \| \d+ \| ([\d.]+) %/, check: (a, b) => a >= 98 && b >= 98 },
    { what: 'without layer 1: a coin flip', pattern: /"it" looks most at the referent in (\d+) % of the test sentences/, check: (p) => p <= 65 },
    { what: 'task-only model answers', pattern: /task-only model, seed 0: test accuracy \*\*([\d.]+) %\*\*/, check: (a) => a >= 95 },
    { what: 'task-only model, seeds 0 and 1: a second-layer head of "it" attends to the referent', pattern: /\| 0 \| ([\d.]+) % \| (\d+) % \(head \d\) \| ([\d.]+) \|[^\n]*\n\| 1 \| ([\d.]+) % \| (\d+) % \(head \d\) \| ([\d.]+) \|/, check: (a0, top0, w0, a1, top1, w1) => a0 >= 95 && a1 >= 95 && top0 >= 80 && top1 >= 80 && w0 >= 0.7 && w1 >= 0.7 },
  ],
  '09-multi-head-attention': [
    { what: 'heads by hand equal nn.MultiheadAttention', pattern: /output:  by hand vs nn.MultiheadAttention, largest difference ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'attending with the averaged weights gives another output', pattern: /with the mean weights, largest difference: ([\d.]+)/, check: (d) => d > 0.01 },
    { what: 'the translation model learns its pairs', pattern: /pairs translated exactly: (\d+) \/ (\d+)/, check: (k, n) => k >= n - 2 },
    { what: 'one head cannot report both neighbours, two heads can', pattern: /\| one head \| [\d.]+ % \| [\d.]+ % \| ([\d.]+) % \|\n\| two heads \| [\d.]+ % \| [\d.]+ % \| ([\d.]+) % \|/, check: (one, two) => one <= 50 && two >= 95 },
  ],
  '10-gpt': [
    { what: 'causal attention by hand equals models.CausalSelfAttention', pattern: /largest difference from models.CausalSelfAttention: ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'the block by hand equals models.Block', pattern: /block: largest difference from models.Block: ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'the model by hand equals models.GPT', pattern: /whole model: largest difference from models.GPT: ([\d.e+-]+)/, check: (d) => d < 1e-5 },
    { what: 'ablation: the full model learns, without residual connections it does not', pattern: /\| full \| ([\d.]+) \| ([\d.]+) \|\n\| no residual connections \| ([\d.]+) \| ([\d.]+) \|\n\| no LayerNorm \| ([\d.]+) \| ([\d.]+) \|/, check: (f0, f1, r0, r1, l0, l1) => r0 - f0 > 0.3 && r1 - f1 > 0.3 && l0 > f0 && l1 > f1 },
    { what: 'without residual connections the loss stays at the entropy of the character frequencies', pattern: /character frequencies alone: ([\d.]+) nats[\s\S]*?\| no residual connections \| ([\d.]+) \|/, check: (h, r) => Math.abs(r - h) < 0.15 },
    { what: 'the pretrained weights load completely', pattern: /([\d.]+) MB, [\d,]+ parameters, missing (\d+), unexpected (\d+)/, check: (mb, missing, unexpected) => mb <= 5 && missing === 0 && unexpected === 0 },
    { what: "the validation loss measured here is the script's", pattern: /validation loss ([\d.]+) nats per character \(perplexity [\d.]+\); the script's last point: ([\d.]+)/, check: (here, script) => Math.abs(here - script) < 2e-3 && here < 2.0 },
    { what: 'fine-tuning does not hurt', pattern: /validation loss after \d+ more steps: ([\d.]+) \(before: ([\d.]+)\)/, check: (after, before) => after <= before + 0.005 },
    { what: 'the KV cache gives the same text', pattern: /same text with and without the cache: true()/, check: () => true },
    { what: 'the KV cache: fewer positions and a faster generation, measured in one run', pattern: /\| \*\*ratio\*\* \| \*\*([\d.]+)×\*\* \| \*\*([\d.]+)×\*\* \|/, check: (positions, time) => positions > 10 && time >= 1.5 },
    { what: 'at the same training CPU time the LSTM has the lower validation loss (the text says so)', pattern: /\| GPT \(pretrained, before fine-tuning\) \| [\d,]+ \| \d+ \| (\d+) \| \*\*([\d.]+)\*\* \|\n\| LSTM, at the GPT's CPU time \(from its curve\) \| [\d,]+ \| \| (\d+) \| \*\*([\d.]+)\*\* \|/, check: (gs, g, ls, l) => gs === ls && l < g },
    { what: 'a start-of-word head (the text names it)', pattern: /\| start of the word \| layer \d, head \d \| \*\*([\d.]+)\*\* \| ([\d.]+) \|/, check: (best, median) => best >= 0.35 && best > 3 * median },
    { what: 'a start-of-line head (the text names it)', pattern: /\| start of the line \| layer \d, head \d \| \*\*([\d.]+)\*\* \| ([\d.]+) \|/, check: (best, median) => best >= 0.4 && best > 3 * median },
    { what: 'no sharp previous-character head and no copying head (as the text says)', pattern: /\| previous character \| layer \d, head \d \| \*\*([\d.]+)\*\*[\s\S]*?\| copying \(repeated text\) \| layer \d, head \d \| \*\*([\d.]+)\*\*/, check: (previous, copying) => previous < 0.5 && copying < 0.2 },
  ],
};
