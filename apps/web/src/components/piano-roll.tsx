"use client";
// The piece's piano roll on a canvas (thousands of notes stay cheap), with a playhead and
// click-to-seek. Velocity shows as colour strength. With `view` it shows a window that scrolls
// with the playhead (the radio's endless stream).
import { useEffect, useRef } from "react";
import { pitchRange, quartersToSeconds, type RollNote } from "@/lib/roll";

/**
 * `bpm` places the notes (in quarters) on the time axis (in seconds) the playhead moves along;
 * `view` draws only the seconds from `from` on, `seconds` of them (else the whole piece).
 */
export function PianoRoll(props: {
  notes: readonly RollNote[];
  bpm: number;
  totalSeconds: number;
  position: number;
  onSeek?(seconds: number): void;
  generating: boolean;
  view?: { from: number; seconds: number };
}) {
  const { notes, bpm, totalSeconds, position, onSeek, generating, view } = props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  // While notes stream in, a minimum width keeps the first notes from filling the whole roll.
  const span = view?.seconds ?? Math.max(totalSeconds, generating ? 8 : 1);
  const from = view?.from ?? 0;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const context = canvas.getContext("2d");
    if (!context) return;
    context.scale(ratio, ratio);
    context.clearRect(0, 0, width, height);
    const { low, high } = pitchRange(notes);
    const rows = high - low + 1;
    const rowHeight = height / rows;
    // Black-key lanes, like a real roll.
    for (let pitch = low; pitch <= high; pitch += 1) {
      if ([1, 3, 6, 8, 10].includes(pitch % 12)) {
        context.fillStyle = "rgba(40, 44, 70, 0.05)";
        context.fillRect(0, (high - pitch) * rowHeight, width, rowHeight);
      }
      if (pitch % 12 === 0) {
        context.fillStyle = "rgba(40, 44, 70, 0.12)";
        context.fillRect(0, (high - pitch + 1) * rowHeight - 0.5, width, 1);
      }
    }
    for (const [pitch, velocity, start, end] of notes) {
      const x = ((quartersToSeconds(start, bpm) - from) / span) * width;
      const w = Math.max(1.5, (quartersToSeconds(end - start, bpm) / span) * width - 0.5);
      context.fillStyle = `hsla(${250 - (pitch - low) * 2}, 62%, ${60 - (velocity / 127) * 22}%, 0.95)`;
      context.fillRect(x, (high - pitch) * rowHeight + 0.5, w, Math.max(1.5, rowHeight - 1));
    }
  }, [notes, span, bpm, from]);

  return (
    <div
      className="roll"
      data-testid="piano-roll"
      data-note-count={notes.length}
      data-playhead={position.toFixed(3)}
      data-duration={totalSeconds.toFixed(3)}
      onClick={(event) => {
        if (!onSeek) return;
        const box = event.currentTarget.getBoundingClientRect();
        onSeek(from + ((event.clientX - box.left) / box.width) * span);
      }}
    >
      <canvas
        ref={canvasRef}
        className="roll-canvas"
        aria-label={`Piano roll with ${notes.length} notes`}
        role="img"
      />
      <div
        className="roll-playhead"
        data-testid="playhead"
        style={{ left: `${Math.min(100, ((position - from) / span) * 100)}%` }}
      />
      {generating && notes.length === 0 ? (
        <div className="roll-empty">Waiting for the first notes…</div>
      ) : null}
    </div>
  );
}
