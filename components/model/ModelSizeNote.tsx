import card from '@/public/models/austen/card.json';
import './model.css';

/** Published sizes of two models a learner may know, with where the figures come from. */
const OTHERS = [
  {
    name: 'GPT-2 small',
    params: 124e6,
    data: '40 GB of web text',
    source: 'GPT-2 small: Radford et al., 2019, and OpenAI’s released checkpoint',
  },
  { name: 'Llama 3.1 8B', params: 8.03e9, data: 'over 15 trillion tokens', source: 'Llama 3.1 8B: Meta’s Llama 3.1 model card, 2024' },
] as const;

const millions = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} million`;
const size = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} billion` : millions(n));

/**
 * An honest word on the model's size, where learners first meet its text: its parameters and
 * training tokens from its card (public/models/austen/card.json), against two well-known models,
 * with two of the card's own seeded samples.
 */
export function ModelSizeNote() {
  const samples = card.continuations.sampled.items.slice(0, 2);
  const s = card.continuations.sampled.settings;
  return (
    <div className="model-size-note" data-model-size-note="">
      <p>
        This model has <strong>{card.parameters.toLocaleString('en')}</strong> parameters (about {millions(card.parameters)}) and saw{' '}
        <strong>{millions(card.training.tokensSeen)}</strong> tokens in training, {Math.round(card.training.wallSeconds / 60)} minutes on a{' '}
        {card.training.machine.cores}-core CPU. It scores {card.loss.valPerChar.toFixed(3)} nats per character on Austen text it never saw
        (a model that only knew how often each token occurs scores {card.loss.unigramValPerChar.toFixed(3)}). That is enough to learn her
        spelling of common words, her punctuation and the shape of a dialogue; it is not enough for grammar beyond a few words, or for
        meaning. Expect made-up words.
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Model sizes (scrolls sideways)">
        <table className="data-table">
          <caption>Model sizes</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Parameters</th>
              <th scope="col">× this model</th>
              <th scope="col">Trained on</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">This lab&rsquo;s austen</th>
              <td>{millions(card.parameters)}</td>
              <td>1</td>
              <td>{millions(card.training.tokensSeen)} tokens (six novels)</td>
            </tr>
            {OTHERS.map((o) => (
              <tr key={o.name}>
                <th scope="row">{o.name}</th>
                <td>{size(o.params)}</td>
                <td>{Math.round(o.params / card.parameters).toLocaleString('en')}</td>
                <td>{o.data}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">Sources: {OTHERS.map((o) => o.source).join('; ')}.</p>
      <p>
        Two of its own continuations (sampled: temperature {s.temperature}, top-k {s.topK}, seed {s.seed}; from its model card):
      </p>
      {samples.map((x) => (
        <blockquote key={x.prompt} className="model-sample">
          <strong>{x.prompt}</strong>
          {x.text.slice(x.prompt.length)}
        </blockquote>
      ))}
    </div>
  );
}
