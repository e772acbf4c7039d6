// The --backend values, apart from backend.ts so flag parsing does not load tfjs.
export const BACKEND_CHOICES = ["auto", "node", "wasm", "cpu"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
