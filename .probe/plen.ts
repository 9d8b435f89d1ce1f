import { readFileSync } from 'node:fs';
import { loadTokenizer } from '../lib/gpt/tokenizer';
const t = loadTokenizer(JSON.parse(readFileSync('public/models/austen/tokenizer.json', 'utf8')));
console.log(t.encode('It is a truth universally acknowledged').length);
