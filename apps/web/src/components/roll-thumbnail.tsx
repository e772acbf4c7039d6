// A small SVG piano roll for gallery cards (rendered on the server, no JS needed).
import { pitchRange, type RollNote } from "@/lib/roll";

const WIDTH = 240;
const HEIGHT = 72;

export function RollThumbnail({ notes }: { notes: readonly RollNote[] }) {
  const { low, high } = pitchRange(notes);
  const end = Math.max(1, ...notes.map((n) => n[3]));
  const rowHeight = HEIGHT / (high - low + 1);
  return (
    <svg
      className="thumb"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${notes.length} notes`}
    >
      {notes.slice(0, 1500).map(([pitch, velocity, start, stop], i) => (
        <rect
          key={i}
          x={(start / end) * WIDTH}
          y={(high - pitch) * rowHeight}
          width={Math.max(0.8, ((stop - start) / end) * WIDTH)}
          height={Math.max(0.8, rowHeight)}
          fill={`hsl(${250 - (pitch - low) * 2}, 60%, ${62 - (velocity / 127) * 22}%)`}
        />
      ))}
    </svg>
  );
}
