// Benchmark figures: one JSON line per figure on stdout as it is measured, a table at the end.
import { formatTable } from "../cli/text-table.js";

interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What was measured, e.g. "emb64 2x256 V300 seq64 batch64". */
  config: string;
  backend: string;
  cores: number;
  /** Optional target, shown in the table: "≥ 2000", "≤ 250". */
  target?: string;
}

export class FigureLog {
  readonly figures: Figure[] = [];

  constructor(
    private readonly cores: number,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + "\n"),
  ) {}

  record(figure: Omit<Figure, "cores">): Figure {
    const full: Figure = { ...figure, value: round(figure.value), cores: this.cores };
    this.figures.push(full);
    const { target: _target, ...json } = full;
    this.write(JSON.stringify(json));
    return full;
  }

  table(): string {
    return formatTable(
      ["figure", "value", "unit", "target", "backend", "config"],
      this.figures.map((f) => [f.name, f.value, f.unit, f.target ?? "", f.backend, f.config]),
    );
  }
}

/** 4 significant digits, enough for timings and rates. */
function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 8)));
}
