// Pieces made on this device live in IndexedDB (recipe, tokens, notes, MIDI) until they are shared.
import type { DeviceRecipe, DeviceResult } from "./device-protocol";

const DB_NAME = "motif-device";
const STORE = "pieces";

export type DevicePiece = Pick<
  DeviceResult,
  "modelLabel" | "bundleHash" | "tokens" | "notes" | "midi" | "durationSeconds"
> & {
  id: string;
  createdAt: number;
  recipe: DeviceRecipe;
  /** The gallery piece it became, once shared. */
  sharedPieceId: string | null;
};

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB is unavailable"));
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = work(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
    });
  } finally {
    db.close();
  }
}

export async function saveDevicePiece(piece: DevicePiece): Promise<void> {
  await run("readwrite", (store) => store.put(piece));
}

export async function markShared(id: string, sharedPieceId: string): Promise<void> {
  const piece = await run<DevicePiece | undefined>(
    "readonly",
    (store) => store.get(id) as IDBRequest<DevicePiece | undefined>,
  );
  if (piece) await saveDevicePiece({ ...piece, sharedPieceId });
}

/** Every piece kept on this device, newest first. */
export async function listDevicePieces(): Promise<DevicePiece[]> {
  const pieces = await run<DevicePiece[]>("readonly", (store) => store.getAll() as IDBRequest<DevicePiece[]>);
  return pieces.sort((a, b) => b.createdAt - a.createdAt);
}

export async function forgetDevicePiece(id: string): Promise<void> {
  await run("readwrite", (store) => store.delete(id));
}
