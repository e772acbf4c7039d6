"use client";
// Plays an endless, growing list of notes (the radio) on the same sampler as usePianoPlayer. Notes
// arrive in start order and only the tail past the scheduled horizon is ever replaced (a skip), so
// a cursor schedules each note once, however long the stream: a note that arrives late still
// sounds, at once, instead of being skipped.
import { useCallback, useEffect, useRef, useState } from "react";
import type * as ToneTypes from "tone";
import { quartersToSeconds, type RollNote } from "@/lib/roll";
import { LOOKAHEAD_SECONDS, loadSampler } from "./use-piano-player";

const TICK_MS = 50;

type RadioPlayerState = "idle" | "loading" | "ready" | "playing" | "paused";

export function useRadioPlayer(notes: readonly RollNote[], bpm: number) {
  const [state, setState] = useState<RadioPlayerState>("idle");
  const [position, setPosition] = useState(0);
  const [audioState, setAudioState] = useState("none");
  const notesRef = useRef(notes);
  notesRef.current = notes;
  const audio = useRef<{ tone: typeof ToneTypes; sampler: ToneTypes.Sampler } | null>(null);
  const clock = useRef<{
    startedAt: number;
    offset: number;
    scheduledUntil: number;
    cursor: number;
    timer: number;
  } | null>(null);
  const positionRef = useRef(0);

  const now = useCallback((): number => {
    const current = clock.current;
    if (!current || !audio.current) return positionRef.current;
    return current.offset + (audio.current.tone.now() - current.startedAt);
  }, []);

  /** Starts the audio context and loads the samples: call it from the click. */
  const prepare = useCallback(async () => {
    setState("loading");
    try {
      audio.current = await loadSampler();
    } catch (failure) {
      setState("idle");
      throw failure;
    }
    setAudioState(audio.current.tone.getContext().state);
    setState("ready");
  }, []);

  const stopClock = useCallback(() => {
    const current = clock.current;
    if (!current) return;
    positionRef.current = now();
    clearInterval(current.timer);
    audio.current?.sampler.releaseAll();
    clock.current = null;
  }, [now]);

  const play = useCallback(() => {
    const sound = audio.current;
    if (!sound || clock.current) return;
    const { tone, sampler } = sound;
    const offset = positionRef.current;
    const current = { startedAt: tone.now() + 0.05, offset, scheduledUntil: offset, cursor: 0, timer: 0 };
    // Notes before the position (heard before a pause) are not played again.
    const all = notesRef.current;
    while (current.cursor < all.length && quartersToSeconds(all[current.cursor]![2], bpm) < offset)
      current.cursor += 1;
    const tick = () => {
      const at = now();
      const until = at + LOOKAHEAD_SECONDS;
      const list = notesRef.current;
      for (; current.cursor < list.length; current.cursor += 1) {
        const [pitch, velocity, start, end] = list[current.cursor]!;
        const startSeconds = quartersToSeconds(start, bpm);
        if (startSeconds >= until) break;
        const when = Math.max(startSeconds, at + 0.01);
        sampler.triggerAttackRelease(
          tone.Frequency(pitch, "midi").toNote(),
          Math.max(0.05, quartersToSeconds(end - start, bpm)),
          current.startedAt + (when - offset),
          velocity / 127,
        );
      }
      current.scheduledUntil = until;
      positionRef.current = at;
      setPosition(at);
      setAudioState(tone.getContext().state);
    };
    clock.current = current;
    tick();
    current.timer = window.setInterval(tick, TICK_MS);
    setState("playing");
  }, [bpm, now]);

  const pause = useCallback(() => {
    stopClock();
    setPosition(positionRef.current);
    setState("paused");
  }, [stopClock]);

  /** Seconds up to which notes are already handed to the sampler: a skip replaces only notes after it. */
  const horizon = useCallback(() => clock.current?.scheduledUntil ?? positionRef.current, []);

  useEffect(() => () => stopClock(), [stopClock]);

  return { state, position, audioState, prepare, play, pause, horizon };
}
