import { bytesPerToken, findPreset, formatBinary, formulaTerms, replacedBytesPerToken } from '@/lib/lessons/cache-size';

const n = (v: number) => v.toLocaleString('en-US');

/** DeepSeek-V3's cache per token, MLA against the multi-head K and V it replaces and a GQA model, from the presets. */
export function DeepSeekNumbers() {
  const ds = findPreset('deepseek-v3')!;
  const llama = findPreset('llama-3.1-70b')!;
  const mla = bytesPerToken(ds.layout, 'bf16');
  const mha = replacedBytesPerToken(ds, 'bf16')!;
  const gqa = bytesPerToken(llama.layout, 'bf16');
  const r = ds.replaces!;
  const l = ds.layout.kind === 'mla' ? ds.layout : null;
  const rows = [
    { label: 'DeepSeek-V3 with MLA', formula: formulaTerms(ds.layout, 'bf16'), bytes: mla },
    {
      label: `The same 128 heads as plain multi-head attention`,
      formula: `${ds.layout.nLayer} layers · ${r.nHead} heads · (${r.kHeadSize} key + ${r.vHeadSize} value) · 2 bytes`,
      bytes: mha,
    },
    { label: 'Llama 3.1 70B with GQA, for scale', formula: formulaTerms(llama.layout, 'bf16'), bytes: gqa },
  ];
  return (
    <div
      className="table-scroll"
      tabIndex={0}
      role="region"
      aria-label="DeepSeek-V3 cache per token (scrolls sideways)"
      data-deepseek-ratio={mha / mla}
    >
      <table className="data-table myth-table">
        <caption>
          Cache per token in bf16, from each model&apos;s config.json (DeepSeek-V3: kv_lora_rank {l?.latent}, qk_rope_head_dim {l?.rope},{' '}
          {l?.nLayer} layers)
        </caption>
        <thead>
          <tr>
            <th scope="col">Cache</th>
            <th scope="col">Bytes per token</th>
            <th scope="col">At 128K tokens</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((x) => (
            <tr key={x.label}>
              <th scope="row">
                {x.label}
                <br />
                <code>{x.formula}</code>
              </th>
              <td>{n(x.bytes)}</td>
              <td>{formatBinary(x.bytes * 131072)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
