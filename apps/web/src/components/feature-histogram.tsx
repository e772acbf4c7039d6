const WIDTH = 180;
const HEIGHT = 44;

/** Generated pieces (outlined bars) over the training songs (filled bars), on the evaluation's shared bins. */
export function FeatureHistogram({
  edges,
  generated,
  reference,
  label,
}: {
  edges: number[];
  generated: number[];
  reference: number[];
  label: string;
}) {
  const bins = Math.max(1, edges.length - 1);
  const top = Math.max(1e-9, ...generated, ...reference);
  const width = WIDTH / bins;
  const bar = (share: number) => (share / top) * (HEIGHT - 2);
  const first = edges[0] ?? 0;
  const last = edges.at(-1) ?? 1;
  return (
    <svg
      className="histogram"
      width={WIDTH}
      height={HEIGHT + 12}
      viewBox={`0 0 ${WIDTH} ${HEIGHT + 12}`}
      role="img"
      aria-label={label}
    >
      {reference.map((share, i) => (
        <rect
          key={`r${i}`}
          x={i * width + 0.5}
          y={HEIGHT - bar(share)}
          width={Math.max(0.5, width - 1)}
          height={bar(share)}
          className="histogram-reference"
        />
      ))}
      {generated.map((share, i) =>
        share > 0 ? (
          <rect
            key={`g${i}`}
            x={i * width + 1.5}
            y={HEIGHT - bar(share)}
            width={Math.max(0.5, width - 3)}
            height={bar(share)}
            className="histogram-generated"
          />
        ) : null,
      )}
      <line x1={0} x2={WIDTH} y1={HEIGHT + 0.5} y2={HEIGHT + 0.5} className="histogram-axis" />
      <text x={0} y={HEIGHT + 11} className="histogram-label">
        {compact(first)}
      </text>
      <text x={WIDTH} y={HEIGHT + 11} textAnchor="end" className="histogram-label">
        {compact(last)}
      </text>
    </svg>
  );
}

function compact(value: number): string {
  return Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 10
      ? value.toFixed(1)
      : value.toFixed(2);
}
