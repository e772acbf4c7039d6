"use client";
// The radio: one model's endless stream, composed on this device a few seconds ahead of the
// playhead (the worker pauses when far enough ahead), played while it composes, the roll scrolling
// with the playhead. Skip drops what is buffered and goes on from a new seed; Keep saves the last
// stretch heard as a device piece whose recipe (model, seed, offset, length) replays it.
import { useCallback, useEffect, useRef, useState } from "react";
import { PianoRoll } from "@/components/piano-roll";
import { useRadioPlayer } from "@/components/use-radio-player";
import { formatBytes, formatDuration } from "@/lib/format";
import { GALLERY_RECIPE } from "@/lib/gallery-recipe";
import { quartersToSeconds, secondsToQuarters, type RollNote } from "@/lib/roll";
import { deviceGenerationSupported, type LoadState } from "./device-composer";
import { saveDevicePiece } from "./device-pieces";
import { DevicePiecesList } from "./device-pieces-list";
import type { DeviceRecipe, RadioStats } from "./device-protocol";
import { startRadio, type RadioConnection } from "./device-radio";

/** How far the worker composes ahead of the playhead before it pauses. */
const AHEAD_SECONDS = 12;
/** Composed music needed before the playhead starts moving. */
const START_LEAD_SECONDS = 3;
/** The pause between a skipped stream and the next (the new one composes its first seconds meanwhile). */
const SKIP_GAP_SECONDS = 1;
/** About how much of what was heard Keep saves. */
const KEEP_SECONDS = 30;
/** The roll shows this much before the playhead and after it. */
const ROLL_BEHIND_SECONDS = 6;
const ROLL_AHEAD_SECONDS = 14;
const BPM = GALLERY_RECIPE.bpm;

const randomSeed = () => Math.floor(Math.random() * 2 ** 31);

interface ModelOption {
  id: string;
  label: string;
}

/** The radio stream's state as the page sees it: its notes on one timeline (a skip starts the next stream later on it). */
interface Timeline {
  notes: RollNote[];
  /** Where the current stream's time 0 is on the timeline (seconds). */
  base: number;
  /** The last settled note's start on the timeline: composed up to here. */
  composed: number;
  streamId: number | null;
  recipe: DeviceRecipe | null;
}

const EMPTY: Timeline = { notes: [], base: 0, composed: 0, streamId: null, recipe: null };

export function RadioView({ models, initialModelId }: { models: ModelOption[]; initialModelId: string }) {
  const [modelId, setModelId] = useState(initialModelId);
  const [supported, setSupported] = useState(true);
  const [phase, setPhase] = useState<"off" | "loading" | "buffering" | "playing" | "paused" | "failed">(
    "off",
  );
  const [load, setLoad] = useState<LoadState | null>(null);
  const [timeline, setTimeline] = useState<Timeline>(EMPTY);
  const [info, setInfo] = useState<{ modelLabel: string; implementation: string; loadMs: number } | null>(
    null,
  );
  // Tokens and composing time of the streams before the current one, and of the current one.
  const [stats, setStats] = useState<{ before: RadioStats; current: RadioStats; startedAt: number }>({
    before: { tokens: 0, busyMs: 0 },
    current: { tokens: 0, busyMs: 0 },
    startedAt: 0,
  });
  const [error, setError] = useState<string | null>(null);
  const [kept, setKept] = useState<{ text: string; offset: number; length: number } | null>(null);
  const [keeping, setKeeping] = useState(false);
  const [piecesVersion, setPiecesVersion] = useState(0);
  const connection = useRef<RadioConnection | null>(null);
  const player = useRadioPlayer(timeline.notes, BPM);
  const lead = timeline.composed - player.position;

  useEffect(() => setSupported(deviceGenerationSupported()), []);
  useEffect(() => () => connection.current?.stop(), []);

  const start = useCallback(async () => {
    setError(null);
    setKept(null);
    setPhase("loading");
    setTimeline(EMPTY);
    const recipe: DeviceRecipe = {
      modelId,
      seed: randomSeed(),
      length: 0,
      temperature: 1,
      topK: null,
      topP: 0.95,
      key: "as-trained",
    };
    connection.current?.stop();
    connection.current = startRadio(recipe, AHEAD_SECONDS, {
      onLoad: setLoad,
      onStream: (stream) => {
        setInfo(stream);
        setStats((current) => ({
          before: {
            tokens: current.before.tokens + current.current.tokens,
            busyMs: current.before.busyMs + current.current.busyMs,
          },
          current: { tokens: 0, busyMs: 0 },
          startedAt: current.startedAt || performance.now(),
        }));
        setTimeline((current) => ({ ...current, streamId: stream.streamId, recipe: stream.recipe }));
        setPhase((current) => (current === "loading" ? "buffering" : current));
      },
      onNotes: (update) => {
        setTimeline((current) => {
          if (update.streamId !== current.streamId) return current;
          const shift = secondsToQuarters(current.base, BPM);
          const notes = update.notes.map(([pitch, velocity, startQ, endQ]): RollNote => [
            pitch,
            velocity,
            startQ + shift,
            endQ + shift,
          ]);
          return {
            ...current,
            notes: [...current.notes, ...notes],
            composed: Math.max(current.composed, current.base + update.composedSeconds),
          };
        });
        setStats((current) => ({ ...current, current: update.stats }));
      },
      onError: (message) => {
        setError(message);
        setPhase("failed");
      },
    });
    // The click that starts the radio starts the audio context too. Without sound there is no
    // radio: stop composing and say why (the click does not wait for this).
    try {
      await player.prepare();
    } catch (failure) {
      connection.current?.stop();
      connection.current = null;
      setError(`No sound: ${failure instanceof Error ? failure.message : String(failure)}`);
      setPhase("failed");
    }
  }, [modelId, player]);

  // Playing starts once a few seconds are composed; the worker hears where the playhead is.
  useEffect(() => {
    if (
      phase === "buffering" &&
      player.state === "ready" &&
      timeline.composed - player.position >= START_LEAD_SECONDS
    ) {
      player.play();
      setPhase("playing");
    }
  }, [phase, player, timeline.composed]);
  const lastSent = useRef(-1);
  useEffect(() => {
    if (phase !== "playing" || !connection.current) return;
    if (Math.abs(player.position - lastSent.current) < 0.25) return;
    lastSent.current = player.position;
    connection.current.playhead(player.position - timeline.base);
  }, [phase, player.position, timeline.base]);

  function skip() {
    if (!connection.current) return;
    // Notes already handed to the sampler play out; the rest of the buffer goes, and the next stream starts after a breath.
    const horizon = player.horizon();
    const base = Math.max(horizon, player.position + SKIP_GAP_SECONDS);
    setTimeline((current) => ({
      notes: current.notes.filter((note) => quartersToSeconds(note[2], BPM) < horizon),
      base,
      composed: base,
      streamId: null,
      recipe: current.recipe,
    }));
    lastSent.current = -1;
    connection.current.skip(randomSeed());
  }

  async function keep() {
    if (!connection.current) return;
    setKeeping(true);
    try {
      const { recipe, result } = await connection.current.keep(player.position - timeline.base, KEEP_SECONDS);
      const id = crypto.randomUUID();
      await saveDevicePiece({
        id,
        createdAt: Date.now(),
        recipe,
        modelLabel: result.modelLabel,
        bundleHash: result.bundleHash,
        tokens: result.tokens,
        notes: result.notes,
        midi: result.midi,
        durationSeconds: result.durationSeconds,
        sharedPieceId: null,
      });
      setKept({
        text: `Kept ${formatDuration(result.durationSeconds)}: seed ${recipe.seed}, tokens ${recipe.offset} to ${(recipe.offset ?? 0) + recipe.length}`,
        offset: recipe.offset ?? 0,
        length: recipe.length,
      });
      setPiecesVersion((n) => n + 1);
    } catch (failure) {
      setError(`Not kept: ${failure instanceof Error ? failure.message : String(failure)}`);
    } finally {
      setKeeping(false);
    }
  }

  if (!supported)
    return (
      <p className="card">
        The radio composes on this device and needs Web Workers and WebAssembly, which this browser lacks.
      </p>
    );

  const tokens = stats.before.tokens + stats.current.tokens;
  const busyMs = stats.before.busyMs + stats.current.busyMs;
  const tokensPerSecond = busyMs > 0 ? Math.round((tokens / busyMs) * 1000) : null;
  const from = player.position - ROLL_BEHIND_SECONDS;
  const visible = timeline.notes.filter(
    (note) =>
      quartersToSeconds(note[3], BPM) >= from &&
      quartersToSeconds(note[2], BPM) <= from + ROLL_BEHIND_SECONDS + ROLL_AHEAD_SECONDS,
  );
  const on = phase === "buffering" || phase === "playing" || phase === "paused";
  return (
    <>
      <section
        className="card piece"
        style={{ padding: "1rem" }}
        data-testid="radio"
        data-phase={phase}
        data-lead={on ? lead.toFixed(3) : undefined}
        data-playhead={player.position.toFixed(3)}
        data-composed={timeline.composed.toFixed(3)}
        data-seed={timeline.recipe?.seed}
        data-stream-id={timeline.streamId ?? undefined}
        data-note-count={timeline.notes.length}
        data-tokens={tokens}
        data-busy-ms={Math.round(busyMs)}
        data-elapsed-ms={stats.startedAt ? Math.round(performance.now() - stats.startedAt) : undefined}
        data-implementation={info?.implementation}
        data-audio-state={player.audioState}
      >
        <div className="form-row" style={{ alignItems: "end" }}>
          <label>
            <span>Model</span>
            <select
              name="modelId"
              value={modelId}
              disabled={on || phase === "loading"}
              onChange={(event) => setModelId(event.target.value)}
            >
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          <div className="actions">
            {phase === "playing" ? (
              <button
                type="button"
                className="button primary"
                data-testid="radio-pause"
                onClick={() => (player.pause(), setPhase("paused"))}
              >
                Pause
              </button>
            ) : phase === "paused" ? (
              <button
                type="button"
                className="button primary"
                data-testid="radio-resume"
                onClick={() => (player.play(), setPhase("playing"))}
              >
                Resume
              </button>
            ) : (
              <button
                type="button"
                className="button primary"
                data-testid="radio-start"
                disabled={phase === "loading" || phase === "buffering"}
                onClick={() => void start()}
              >
                {phase === "loading" || phase === "buffering" ? "Tuning in…" : "Start the radio"}
              </button>
            )}
            <button
              type="button"
              className="button secondary"
              data-testid="radio-skip"
              disabled={phase !== "playing"}
              onClick={skip}
            >
              Skip
            </button>
            <button
              type="button"
              className="button secondary"
              data-testid="radio-keep"
              disabled={phase !== "playing" || keeping}
              onClick={() => void keep()}
            >
              {keeping ? "Keeping…" : "Keep"}
            </button>
          </div>
        </div>
        <p className="muted small" data-testid="radio-status">
          {load
            ? `${load.label}: ${formatBytes(load.loadedBytes)} / ${formatBytes(load.totalBytes)} ${load.fromCache ? "from this device's cache" : "downloaded"}`
            : "Composed on this device, never on the server."}
          {timeline.recipe ? ` · seed ${timeline.recipe.seed}` : null}
          {on ? ` · ${lead.toFixed(1)} s composed ahead` : null}
          {tokensPerSecond !== null
            ? ` · ${tokens} tokens at ${tokensPerSecond} tokens/s (${info?.implementation} step), busy ${Math.round((busyMs / Math.max(1, performance.now() - stats.startedAt)) * 100)}% of the time`
            : null}
        </p>
        <PianoRoll
          notes={visible}
          bpm={BPM}
          totalSeconds={timeline.composed}
          position={player.position}
          generating
          view={{ from, seconds: ROLL_BEHIND_SECONDS + ROLL_AHEAD_SECONDS }}
        />
        {kept ? (
          <p className="small" data-testid="radio-kept" data-offset={kept.offset} data-length={kept.length}>
            {kept.text}. It is on this device below; sharing it to the gallery needs the server to replay a
            cut of a stream, which it cannot do yet.
          </p>
        ) : null}
        {error ? (
          <p className="error" role="alert" data-testid="radio-error">
            {error}
          </p>
        ) : null}
      </section>
      <DevicePiecesList version={piecesVersion} />
    </>
  );
}
