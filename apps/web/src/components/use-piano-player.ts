"use client";
// Plays RollNotes on the Salamander Grand Piano (samples served from /samples) with Tone.js.
// Notes are scheduled a little ahead of the playhead, so notes that stream in while playing are
// heard too. The audio context starts on the listener's click (browsers require it).
import { useCallback, useEffect, useRef, useState } from "react";
import type * as ToneTypes from "tone";
import { quartersToSeconds, type RollNote } from "@/lib/roll";
import { GALLERY_RECIPE } from "@/lib/gallery-recipe";

export const LOOKAHEAD_SECONDS = 0.4;
const SAMPLE_NOTES = [
  "A0",
  "C1",
  "D#1",
  "F#1",
  "A1",
  "C2",
  "D#2",
  "F#2",
  "A2",
  "C3",
  "D#3",
  "F#3",
  "A3",
  "C4",
  "D#4",
  "F#4",
  "A4",
  "C5",
  "D#5",
  "F#5",
  "A5",
  "C6",
  "D#6",
  "F#6",
  "A6",
  "C7",
  "D#7",
  "F#7",
  "A7",
  "C8",
];

type Tone = typeof ToneTypes;
let toneModule: Promise<Tone> | null = null;
let samplerReady: Promise<ToneTypes.Sampler> | null = null;
/** One piece sounds at a time: starting a player pauses the one that was playing. */
let activePlayer: { owner: object; pause(): void } | null = null;

/** One sampler per page, created on first play (after the click that starts audio); the radio's player shares it. */
export async function loadSampler(): Promise<{ tone: Tone; sampler: ToneTypes.Sampler }> {
  // A failed load is forgotten, so the next click tries again instead of failing at once.
  toneModule ??= import("tone").catch((failure: unknown) => {
    toneModule = null;
    throw failure;
  });
  const tone = await toneModule;
  await tone.start();
  samplerReady ??= new Promise<ToneTypes.Sampler>((resolve, reject) => {
    const urls = Object.fromEntries(SAMPLE_NOTES.map((note) => [note, `${note.replace("#", "s")}.mp3`]));
    const sampler = new tone.Sampler({
      urls,
      baseUrl: "/samples/",
      release: 1.2,
      onload: () => resolve(sampler),
      onerror: reject,
    }).toDestination();
  }).catch((failure: unknown) => {
    samplerReady = null;
    throw failure;
  });
  return { tone, sampler: await samplerReady };
}

type PlayerState = "idle" | "loading" | "playing" | "paused";

/** Plays `notes` (in quarters) at `bpm`; positions are seconds. */
export function usePianoPlayer(
  notes: readonly RollNote[],
  totalSeconds: number,
  onFirstPlay?: () => void,
  bpm: number = GALLERY_RECIPE.bpm,
) {
  const [state, setState] = useState<PlayerState>("idle");
  const [position, setPosition] = useState(0);
  const [audioState, setAudioState] = useState<string>("none");
  const notesRef = useRef(notes);
  const totalRef = useRef(totalSeconds);
  notesRef.current = notes;
  totalRef.current = totalSeconds;
  const session = useRef<{
    tone: Tone;
    sampler: ToneTypes.Sampler;
    startedAt: number;
    offset: number;
    scheduledUntil: number;
    timer: number;
    frame: number;
  } | null>(null);
  const playedOnce = useRef(false);
  const [owner] = useState(() => ({}));
  const pauseRef = useRef<() => void>(() => undefined);

  const stop = useCallback((keepPosition: boolean) => {
    const current = session.current;
    if (!current) return;
    clearInterval(current.timer);
    cancelAnimationFrame(current.frame);
    current.sampler.releaseAll();
    const at = current.offset + (current.tone.now() - current.startedAt);
    session.current = null;
    if (keepPosition) setPosition(Math.min(at, totalRef.current));
  }, []);

  const play = useCallback(
    async (from?: number) => {
      stop(false);
      if (activePlayer && activePlayer.owner !== owner) activePlayer.pause();
      activePlayer = { owner, pause: () => pauseRef.current() };
      setState("loading");
      let loaded: Awaited<ReturnType<typeof loadSampler>>;
      try {
        loaded = await loadSampler();
      } catch (failure) {
        // Callers fire play() from clicks and effects without awaiting it: it settles here.
        console.warn("could not start the piano", failure);
        setState("idle");
        return;
      }
      const { tone, sampler } = loaded;
      setAudioState(tone.getContext().state);
      if (!playedOnce.current) {
        playedOnce.current = true;
        onFirstPlay?.();
      }
      const offset = from ?? position;
      const startedAt = tone.now() + 0.05;
      const current = { tone, sampler, startedAt, offset, scheduledUntil: offset, timer: 0, frame: 0 };
      const schedule = () => {
        const now = offset + (tone.now() - startedAt);
        const until = now + LOOKAHEAD_SECONDS;
        for (const [pitch, velocity, start, end] of notesRef.current) {
          const at = quartersToSeconds(start, bpm);
          if (at < current.scheduledUntil || at >= until) continue;
          const duration = Math.max(0.05, quartersToSeconds(end - start, bpm));
          sampler.triggerAttackRelease(
            tone.Frequency(pitch, "midi").toNote(),
            duration,
            startedAt + (at - offset),
            velocity / 127,
          );
        }
        current.scheduledUntil = until;
      };
      const tick = () => {
        const now = offset + (tone.now() - startedAt);
        setPosition(Math.max(offset, now));
        setAudioState(tone.getContext().state);
        // Stop at the end, unless more notes are still streaming in beyond it.
        if (now >= totalRef.current + 1.5) {
          stop(false);
          setPosition(0);
          setState("idle");
          return;
        }
        current.frame = requestAnimationFrame(tick);
      };
      schedule();
      current.timer = window.setInterval(schedule, 100);
      current.frame = requestAnimationFrame(tick);
      session.current = current;
      setState("playing");
    },
    [onFirstPlay, owner, position, stop, bpm],
  );

  const pause = useCallback(() => {
    stop(true);
    setState("paused");
  }, [stop]);
  pauseRef.current = pause;

  const seek = useCallback(
    (seconds: number) => {
      const target = Math.max(0, Math.min(seconds, totalRef.current));
      if (session.current) void play(target);
      else setPosition(target);
    },
    [play],
  );

  useEffect(
    () => () => {
      stop(false);
      if (activePlayer?.owner === owner) activePlayer = null;
    },
    [owner, stop],
  );

  return { state, position, audioState, play, pause, seek };
}
