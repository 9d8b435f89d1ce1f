import { CLAIM_70B, claimedBytesPerToken, llama8bCheck, seventyBCheck, type CheckRow } from '@/lib/lessons/cache-myths';
import { formatBinary, formatDecimal, formulaTerms } from '@/lib/lessons/cache-size';
import './size-cells.css';

const n = (v: number) => v.toLocaleString('en-US');

function Rows({ rows }: { rows: CheckRow[] }) {
  return (
    <>
      {rows.map((r) => (
        <tr key={r.label}>
          <th scope="row">
            {r.label}
            <br />
            <code>{formulaTerms(r.layout, r.dtype)}</code>
          </th>
          <td>{n(r.bytesPerToken)}</td>
          <td>
            {formatDecimal(r.totalBytes)} ({formatBinary(r.totalBytes)})
          </td>
        </tr>
      ))}
    </>
  );
}

function Head({ tokens }: { tokens: number }) {
  return (
    <thead>
      <tr>
        <th scope="col">Configuration</th>
        <th scope="col">Bytes per token</th>
        <th scope="col">At {n(tokens)} tokens</th>
      </tr>
    </thead>
  );
}

/** The Llama 3.1 8B check: the figure with 32 key/value heads against the one with its real 8. */
export function Llama8bMyth() {
  const { wrong, right, ratio } = llama8bCheck();
  return (
    <div
      className="table-scroll"
      data-myth="llama-8b"
      data-ratio={ratio}
      tabIndex={0}
      role="region"
      aria-label="Llama 3.1 8B cache, both ways (scrolls sideways)"
    >
      <table className="data-table myth-table">
        <caption>Llama 3.1 8B&apos;s cache at 131,072 tokens in fp16, computed both ways</caption>
        <Head tokens={wrong.tokens} />
        <tbody>
          <Rows rows={[wrong, right]} />
        </tbody>
      </table>
    </div>
  );
}

/** The 70B check: the claimed 2.1 GB for 2,500 tokens against the common 70B configurations. */
export function SeventyBMyth() {
  const rows = seventyBCheck();
  return (
    <div className="table-scroll" data-myth="70b" tabIndex={0} role="region" aria-label="70B cache configurations (scrolls sideways)">
      <table className="data-table myth-table">
        <caption>
          A 70B model&apos;s cache for one {n(CLAIM_70B.tokens)}-token conversation. The claim, {formatDecimal(CLAIM_70B.bytes)}, would be{' '}
          {n(claimedBytesPerToken())} bytes per token.
        </caption>
        <Head tokens={CLAIM_70B.tokens} />
        <tbody>
          <Rows rows={rows} />
        </tbody>
      </table>
    </div>
  );
}
