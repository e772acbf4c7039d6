// Training with carried state (truncated back-propagation through time): how an epoch's songs are
// laid out as batch rows that each walk one song's consecutive chunks, and the LSTM states each
// row keeps on the host between steps.

/** One batch row: chunk `chunk` (0-based) of song `song`, walked by stream `stream`. */
export interface StreamChunk {
  stream: number;
  song: number;
  chunk: number;
}

/** Whole chunks of seqLen inputs (and the target after each) in a song of `length` tokens. */
export function songChunks(length: number, seqLen: number): number {
  return Math.max(0, Math.floor((length - 1) / seqLen));
}

/**
 * An epoch's batches: the songs in `order` (indices into `chunkCounts`) are dealt to `streams`
 * streams; a stream takes the next unassigned song when its current one has no chunk left (in
 * stream order when several run out at the same step), and each step's batch is the next chunk of
 * every stream that still has a song, in stream order. Near the end fewer streams have songs and
 * the batches shrink. Songs without a whole chunk are left out; every other chunk comes exactly once.
 * @example streamBatches([2, 1, 3], [0, 1, 2], 2) // [[s0 c0, s1 c0], [s0 c1, s2 c0], [s2 c1], [s2 c2]] (streams 0, 1 / 0, 1 / 1 / 1)
 */
export function streamBatches(
  chunkCounts: readonly number[],
  order: readonly number[],
  streams: number,
): StreamChunk[][] {
  if (!Number.isInteger(streams) || streams < 1)
    throw new Error(`streams must be a positive integer, got ${streams}`);
  const queue = order.filter((song) => (chunkCounts[song] ?? 0) > 0);
  let next = 0;
  const current: ({ song: number; chunk: number } | null)[] = Array.from({ length: streams }, () =>
    next < queue.length ? { song: queue[next++] as number, chunk: 0 } : null,
  );
  const batches: StreamChunk[][] = [];
  for (;;) {
    const batch: StreamChunk[] = [];
    current.forEach((at, stream) => {
      if (at !== null) batch.push({ stream, song: at.song, chunk: at.chunk });
    });
    if (batch.length === 0) return batches;
    batches.push(batch);
    current.forEach((at, stream) => {
      if (at === null) return;
      at.chunk++;
      if (at.chunk < (chunkCounts[at.song] as number)) return;
      current[stream] = next < queue.length ? { song: queue[next++] as number, chunk: 0 } : null;
    });
  }
}

/**
 * The LSTM states of every stream, per LSTM layer h then c (units[layer] values each), kept on the
 * host between steps. A stream's first chunk of a song starts from zeros.
 */
export class StreamStates {
  private readonly states: Float32Array[][];

  constructor(
    streams: number,
    private readonly units: readonly number[],
  ) {
    this.states = Array.from({ length: streams }, () =>
      units.flatMap((u) => [new Float32Array(u), new Float32Array(u)]),
    );
  }

  /** The initial states of `rows` (consecutive batch rows), per layer h then c, [rows.length, units] row-major. */
  gather(rows: readonly StreamChunk[]): Float32Array[] {
    return this.units.flatMap((u, layer) =>
      [0, 1].map((part) => {
        const out = new Float32Array(rows.length * u);
        rows.forEach((row, r) => {
          if (row.chunk > 0) out.set(this.streamState(row.stream)[2 * layer + part] as Float32Array, r * u);
        });
        return out;
      }),
    );
  }

  /** Keeps `final` (gather's layout, for the same rows) as the streams' states for their next chunk. */
  scatter(rows: readonly StreamChunk[], final: readonly Float32Array[]): void {
    if (final.length !== 2 * this.units.length)
      throw new Error(
        `${final.length} final state arrays for ${this.units.length} LSTM layers (h and c per layer)`,
      );
    this.units.forEach((u, layer) => {
      [0, 1].forEach((part) => {
        const values = final[2 * layer + part] as Float32Array;
        if (values.length !== rows.length * u)
          throw new Error(
            `final state ${2 * layer + part} has ${values.length} values for ${rows.length} rows of ${u}`,
          );
        rows.forEach((row, r) =>
          (this.streamState(row.stream)[2 * layer + part] as Float32Array).set(
            values.subarray(r * u, (r + 1) * u),
          ),
        );
      });
    });
  }

  private streamState(stream: number): Float32Array[] {
    const state = this.states[stream];
    if (!state) throw new Error(`no stream ${stream} (${this.states.length} streams)`);
    return state;
  }
}
