import type { RawNoteEvent } from "./raw-smf.js";

interface PairedNote {
  channel: number;
  pitch: number;
  velocity: number;
  startTick: number;
  endTick: number;
}

interface OpenNote {
  tick: number;
  velocity: number;
}

function note(channel: number, pitch: number, open: OpenNote, endTick: number): PairedNote {
  // A note switched off at the tick it starts lasts one tick, so every note has end > start.
  return {
    channel,
    pitch,
    velocity: open.velocity,
    startTick: open.tick,
    endTick: Math.max(endTick, open.tick + 1),
  };
}

const keyOf = (event: RawNoteEvent): number => event.channel * 128 + event.pitch;

/**
 * Pairs note-on and note-off events of one track into notes. Policy, per channel and pitch:
 * - Note-ons and note-offs pair first-in-first-out, so two overlapping notes of one pitch (two
 *   voices on one channel) stay two notes, each ended by its own note-off.
 * - If that leaves notes never switched off at the end of the track, this key is read as re-struck
 *   instead: each new note-on ends the sounding note, a note-off ends it too, note-offs with
 *   nothing sounding are ignored, and the last note ends at the track end. This is what a synth
 *   does with a key struck again without release, and it keeps drum tracks without note-offs sane.
 * - A note-off with no open note is ignored in both readings.
 * The first pass pairs everything first-in-first-out; a second pass re-reads only the events of
 * keys left with open notes.
 */
export function pairNotes(events: readonly RawNoteEvent[], trackEndTick: number): PairedNote[] {
  if (events.length === 0) return []; // conductor tracks, and files of 65,535 empty tracks
  // Queues with a moving head: Array#shift is O(n), and hostile files can stack up a million
  // note-ons of one key.
  const open = new Map<number, { items: OpenNote[]; head: number }>();
  const fifoNotes: PairedNote[] = [];
  for (const event of events) {
    const key = keyOf(event);
    let queue = open.get(key);
    if (event.velocity > 0) {
      if (!queue) open.set(key, (queue = { items: [], head: 0 }));
      queue.items.push({ tick: event.tick, velocity: event.velocity });
    } else if (queue && queue.head < queue.items.length) {
      fifoNotes.push(note(event.channel, event.pitch, queue.items[queue.head++]!, event.tick));
    }
  }
  const restruck = new Set<number>();
  for (const [key, queue] of open) if (queue.head < queue.items.length) restruck.add(key);
  if (restruck.size === 0) return fifoNotes;

  const notes = fifoNotes.filter((paired) => !restruck.has(paired.channel * 128 + paired.pitch));
  const sounding = new Map<number, OpenNote>();
  for (const event of events) {
    const key = keyOf(event);
    if (!restruck.has(key)) continue;
    const current = sounding.get(key);
    if (current) {
      notes.push(note(event.channel, event.pitch, current, event.tick));
      sounding.delete(key);
    }
    if (event.velocity > 0) sounding.set(key, { tick: event.tick, velocity: event.velocity });
  }
  for (const [key, current] of sounding) notes.push(note(key >> 7, key & 127, current, trackEndTick));
  return notes;
}
