/**
 * What a measuring cell is doing right now, read out politely to screen readers, and its error if a
 * run failed. Shared by the prefill cells so both say it the same way.
 */
export function MeasureStatus({
  activity,
  idleText,
  idle,
  error,
}: {
  activity?: string | null;
  idleText: string;
  idle: boolean;
  error?: string | null;
}) {
  return (
    <>
      <p className="phase" aria-live="polite">
        {activity ?? (idle ? idleText : '')}
      </p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
