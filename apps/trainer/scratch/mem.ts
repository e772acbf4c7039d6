import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { timedTokenizer, Vocabulary, pitchClassMasks, scaleMask, createModel, trainModel, presetConfigs } from "@motif/core";
const ODE = [71, 71, 72, 74, 74, 72, 71, 69, 67, 67, 69, 71, 71, 69, 69, 71, 71, 72, 74, 74, 72, 71, 69, 67, 67, 69, 71, 69, 67, 67];
const melody = ODE.map((pitch, i) => ({ pitch, velocity: 80, startQuarter: i, endQuarter: i + 1 }));
await tf.setBackend(process.argv[2] ?? "wasm");
const tokens = timedTokenizer.encode(melody);
const vocabulary = Vocabulary.build([tokens]);
console.log(tokens.slice(0, 12).join(" "), vocabulary.size);
const song = { name: "ode", ids: vocabulary.encode(tokens).ids, scaleMask: scaleMask({ tonic: 7, mode: "major" }) };
const masks = pitchClassMasks(vocabulary.tokens, timedTokenizer);
const epochs = Number(process.argv[3] ?? 100);
const { model: config, training } = presetConfigs("default", vocabulary.size, { units: [32], seqLen: 40, stride: 4, batchSize: 16, epochs, learningRate: Number(process.argv[4] ?? 3e-2), dropout: 0, embeddingDim: 8, patience: null, lrSchedule: (process.argv[5] ?? "cosine") as "cosine", cell: (process.argv[6] ?? "fast") as "fast", clipNorm: process.argv[7] === "noclip" ? null : 1 });
const model = createModel(config, 1);
if (process.env.EMB_STD) { const layer = model.getLayer("embedding"); const [w] = layer.getWeights(); layer.setWeights([tf.randomNormal(w!.shape, 0, Number(process.env.EMB_STD), "float32", 3)]); }
const r = await trainModel({ model, modelConfig: config, training, train: [song], validation: [song], pitchMasks: masks });
for (const m of r.history.filter((_, i) => i % 10 === 9)) console.log(m.epoch, m.loss.toFixed(3), m.valLoss?.toFixed(3), m.valAccuracy?.toFixed(3), m.valNoteAccuracy?.toFixed(3), m.learningRate.toExponential(2));
