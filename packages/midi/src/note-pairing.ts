import type { RawNoteEvent } from "./smf-reader.js";

export interface PairedNote {
  channel: number;
  pitch: number;
  velocity: number;
  startTick: number;
  endTick: number;
}

interface KeyState {
  /** First-in-first-out pairing: open notes, oldest first, and the notes closed so far. */
  fifoOpen: { tick: number; velocity: number }[];
  fifoNotes: PairedNote[];
  /** Re-strike pairing: at most one open note; a new note-on ends it. */
  restrikeOpen: { tick: number; velocity: number } | null;
  restrikeNotes: PairedNote[];
}

function note(channel: number, pitch: number, open: { tick: number; velocity: number }, endTick: number): PairedNote {
  // A note switched off at the tick it starts lasts one tick, so every note has end > start.
  return { channel, pitch, velocity: open.velocity, startTick: open.tick, endTick: Math.max(endTick, open.tick + 1) };
}

/**
 * Pairs note-on and note-off events of one track into notes. Policy, per channel and pitch:
 * - Note-ons and note-offs pair first-in-first-out, so two overlapping notes of one pitch (two
 *   voices on one channel) stay two notes, each ended by its own note-off.
 * - If that leaves notes never switched off at the end of the track, this key is read as re-struck
 *   instead: each new note-on ends the sounding note, a note-off ends it too, note-offs with
 *   nothing sounding are ignored, and the last note ends at the track end. This is what a synth
 *   does with a key struck again without release, and it keeps drum tracks without note-offs sane.
 * - A note-off with no open note is ignored in both readings.
 * Both readings are computed in one pass; no event is looked at twice.
 */
export function pairNotes(events: readonly RawNoteEvent[], trackEndTick: number): PairedNote[] {
  const keys = new Map<number, KeyState>();
  for (const event of events) {
    const key = event.channel * 128 + event.pitch;
    let state = keys.get(key);
    if (!state) {
      state = { fifoOpen: [], fifoNotes: [], restrikeOpen: null, restrikeNotes: [] };
      keys.set(key, state);
    }
    if (event.velocity > 0) {
      const open = { tick: event.tick, velocity: event.velocity };
      state.fifoOpen.push(open);
      if (state.restrikeOpen) state.restrikeNotes.push(note(event.channel, event.pitch, state.restrikeOpen, event.tick));
      state.restrikeOpen = open;
    } else {
      const oldest = state.fifoOpen.shift();
      if (oldest) state.fifoNotes.push(note(event.channel, event.pitch, oldest, event.tick));
      if (state.restrikeOpen) state.restrikeNotes.push(note(event.channel, event.pitch, state.restrikeOpen, event.tick));
      state.restrikeOpen = null;
    }
  }
  const notes: PairedNote[] = [];
  for (const [key, state] of keys) {
    if (state.fifoOpen.length === 0) {
      for (const paired of state.fifoNotes) notes.push(paired);
      continue;
    }
    for (const paired of state.restrikeNotes) notes.push(paired);
    if (state.restrikeOpen) notes.push(note(key >> 7, key & 127, state.restrikeOpen, trackEndTick));
  }
  return notes;
}
