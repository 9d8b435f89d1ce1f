/**
 * Tokenizers: `loadTokenizer` builds the one a model's tokenizer.json describes. Every tokenizer name
 * is exported from here, so importers need not know the files behind it: the contract, its error and
 * the one-token-per-byte tokenizer (tokenizer-contract.ts), byte-level BPE (bpe.ts), and lossless
 * strings ↔ bytes with printable token labels (wtf8.ts).
 */
import { BpeTokenizer } from './bpe';
import { ByteTokenizer, type Tokenizer, TokenizerError } from './tokenizer-contract';

export { BpeTokenizer, type BpeTokenizerJSON, GPT2_PATTERN, mergePair, pairKey, preTokenize } from './bpe';
export { ByteTokenizer, type Tokenizer, TokenizerError } from './tokenizer-contract';
export { printable, wtf8Decode, wtf8Encode } from './wtf8';

/** Build the tokenizer a JSON file describes, by its `type`: `"byte"` or `"byte-bpe"`; a TokenizerError otherwise. */
export function loadTokenizer(json: unknown): Tokenizer {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TokenizerError(
      `The tokenizer JSON is ${JSON.stringify(json)}, not an object with a "type". Re-export the model's tokenizer.json.`,
    );
  }
  const j = json as { type?: unknown; version?: unknown; vocabSize?: unknown };
  if (j.type === 'byte') {
    if (j.version !== 1 || j.vocabSize !== 256) {
      throw new TokenizerError(
        `A "byte" tokenizer has version 1 and vocabSize 256, got ${JSON.stringify(j.version)} and ${JSON.stringify(j.vocabSize)}.`,
      );
    }
    return new ByteTokenizer();
  }
  if (j.type === 'byte-bpe') return BpeTokenizer.fromJSON(json);
  throw new TokenizerError(
    `Unknown tokenizer type ${JSON.stringify(j.type)}: expected "byte" or "byte-bpe". Re-export the model's tokenizer.json.`,
  );
}
