import * as tf from "@tensorflow/tfjs";

/** Optimizer state as plain arrays, in the order of the trainable variables. */
export interface OptimizerState {
  kind: "adam" | "rmsprop";
  step: number;
  /** Adam: [m..., v...]; RMSprop: [meanSquare...]. */
  slots: Float32Array[];
}

const EPSILON = 1e-7; // Keras' default

/**
 * Adam / RMSprop with explicit, serialisable state. Our own (a few tf ops) rather than
 * tf.train.adam because its bias correction lives in float32 variables that cannot be restored
 * bit-exactly, and resuming must reproduce the identical history.
 */
export class TrainingOptimizer {
  private slots: tf.Variable[] = [];
  private stepCount = 0;

  constructor(
    readonly kind: "adam" | "rmsprop",
    private readonly variables: tf.Variable[],
  ) {}

  get step(): number {
    return this.stepCount;
  }

  /** Applies one update with learning rate `lr`; `gradients` are in the order of the variables. */
  apply(gradients: tf.Tensor[], lr: number): void {
    if (this.slots.length === 0) this.slots = this.createSlots();
    this.stepCount++;
    const n = this.variables.length;
    tf.tidy(() => {
      if (this.kind === "adam") {
        const beta1 = 0.9;
        const beta2 = 0.999;
        // Bias corrections in float64 JS: identical however many times we resumed.
        const stepSize = (lr * Math.sqrt(1 - beta2 ** this.stepCount)) / (1 - beta1 ** this.stepCount);
        this.variables.forEach((variable, i) => {
          const g = gradients[i] as tf.Tensor;
          const m = this.slots[i] as tf.Variable;
          const v = this.slots[n + i] as tf.Variable;
          const newM = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
          const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
          m.assign(newM);
          v.assign(newV);
          variable.assign(tf.sub(variable, tf.mul(tf.div(newM, tf.add(tf.sqrt(newV), EPSILON)), stepSize)));
        });
      } else {
        const rho = 0.9;
        this.variables.forEach((variable, i) => {
          const g = gradients[i] as tf.Tensor;
          const ms = this.slots[i] as tf.Variable;
          const newMs = tf.add(tf.mul(ms, rho), tf.mul(tf.square(g), 1 - rho));
          ms.assign(newMs);
          variable.assign(tf.sub(variable, tf.mul(tf.div(g, tf.add(tf.sqrt(newMs), EPSILON)), lr)));
        });
      }
    });
  }

  getState(): OptimizerState {
    return {
      kind: this.kind,
      step: this.stepCount,
      slots: this.slots.map((slot) => Float32Array.from(slot.dataSync() as Float32Array)),
    };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== this.kind)
      throw new Error(`checkpoint optimizer is ${state.kind}, training uses ${this.kind}`);
    const expected = state.step === 0 ? 0 : this.slotCount();
    if (state.slots.length !== expected)
      throw new Error(`checkpoint has ${state.slots.length} optimizer slots, the model needs ${expected}`);
    this.disposeSlots();
    this.stepCount = state.step;
    if (state.step === 0) return;
    this.slots = state.slots.map((data, i) => {
      const variable = this.variables[i % this.variables.length] as tf.Variable;
      if (data.length !== variable.size)
        throw new Error(
          `checkpoint optimizer slot ${i} has ${data.length} values, variable ${variable.name} has ${variable.size}`,
        );
      return tf.tidy(() => tf.variable(tf.tensor(data, variable.shape), false));
    });
  }

  dispose(): void {
    this.disposeSlots();
  }

  private slotCount(): number {
    return this.kind === "adam" ? 2 * this.variables.length : this.variables.length;
  }

  private createSlots(): tf.Variable[] {
    return Array.from({ length: this.slotCount() }, (_, i) => {
      const variable = this.variables[i % this.variables.length] as tf.Variable;
      return tf.tidy(() => tf.variable(tf.zeros(variable.shape), false));
    });
  }

  private disposeSlots(): void {
    this.slots.forEach((slot) => slot.dispose());
    this.slots = [];
  }
}
