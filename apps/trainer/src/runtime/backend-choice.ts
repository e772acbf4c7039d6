// The --backend values, apart from backend.ts so flag parsing does not load tfjs.
/** The backends a run can end up on, best first (the short names written into bundles). */
export const BACKENDS = ["node", "wasm", "cpu"] as const;
export type Backend = (typeof BACKENDS)[number];
/** --backend and $MOTIF_BACKEND: a backend, or auto (the first of BACKENDS that loads). */
export const BACKEND_CHOICES = ["auto", ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** "auto, node, wasm or cpu", for help texts. */
export const BACKEND_CHOICES_TEXT = `${BACKEND_CHOICES.slice(0, -1).join(", ")} or ${BACKEND_CHOICES.at(-1)}`;
