"use client";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import {
  deviceGenerationSupported,
  preloadOnDevice,
  primerOnDevice,
  type LoadState,
} from "@/browser/device-composer";
import { DevicePieceView } from "@/browser/device-piece-view";
import { DevicePiecesList } from "@/browser/device-pieces-list";
import type { DevicePrimer, DeviceRecipe } from "@/browser/device-protocol";
import { formatBytes } from "@/lib/format";
import { MAX_UPLOAD_BYTES } from "@/lib/gallery-recipe";
import { ALL_KEY_NAMES } from "@/lib/key-choice";
import type { FormValues, PrimerKind } from "@/lib/recipe-url";
import { errorMessage, trpc } from "@/lib/trpc-client";
import { GENERATE_CLICK_KEY } from "./piece-view";

interface ModelOption {
  id: string;
  label: string;
  vocabSize: number;
  tokenizer: string;
  preset: string;
}

function randomSeed() {
  return Math.floor(Math.random() * 2 ** 31);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** `initial`: the values a recipe URL set (already validated); `notes`: what it set that was ignored, and why. */
export function GenerateForm({
  models,
  initial = {},
  notes = [],
}: {
  models: ModelOption[];
  initial?: Partial<FormValues>;
  notes?: string[];
}) {
  const router = useRouter();
  const [modelId, setModelId] = useState(initial.modelId ?? models[0]!.id);
  const [length, setLength] = useState(initial.length ?? "300");
  const [temperature, setTemperature] = useState(initial.temperature ?? "1");
  const [topK, setTopK] = useState(initial.topK ?? "");
  const [topP, setTopP] = useState(initial.topP ?? "0.95");
  const [seed, setSeed] = useState(() => initial.seed ?? String(randomSeed()));
  const [primerKind, setPrimerKind] = useState<PrimerKind>(initial.primer ?? "none");
  const [file, setFile] = useState<File | null>(null);
  // null = not chosen yet: follows the primer ("primer" with one, else "as-trained"), like the server's default.
  const [chosenKey, setChosenKey] = useState<string | null>(initial.key ?? null);
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // Where to compose: this device where Web Workers and WebAssembly exist (known only in the
  // browser, so decided after hydration; the recipe URL's `where` chooses), else the server.
  const [canUseDevice, setCanUseDevice] = useState(false);
  const [where, setWhere] = useState<"device" | "server">("server");
  const [deviceRun, setDeviceRun] = useState<{ recipe: DeviceRecipe; clickedAt: number; run: number } | null>(
    null,
  );
  const [devicePiecesVersion, setDevicePiecesVersion] = useState(0);
  const deviceSaved = useCallback(() => setDevicePiecesVersion((n) => n + 1), []);
  const askedWhere = initial.where;
  useEffect(() => {
    const supported = deviceGenerationSupported();
    setCanUseDevice(supported);
    setWhere(supported && askedWhere !== "server" ? "device" : "server");
  }, [askedWhere]);
  // A corpus snippet comes from the server (it holds the corpus), an uploaded file is read here; both then compose here.
  const onDevice = where === "device" && canUseDevice;
  // The chosen model loads into the device worker before Generate (progress and size shown), so the click only composes.
  const [deviceModel, setDeviceModel] = useState<{
    modelId: string;
    load: LoadState | null;
    ready: boolean;
    error: string | null;
  } | null>(null);
  useEffect(() => {
    if (!onDevice) return;
    let live = true;
    setDeviceModel({ modelId, load: null, ready: false, error: null });
    preloadOnDevice(
      modelId,
      (load) => live && setDeviceModel({ modelId, load, ready: false, error: null }),
    ).then(
      () => live && setDeviceModel((current) => (current ? { ...current, ready: true } : current)),
      (failure: unknown) => {
        if (!live) return;
        // The server is the fallback: this model is composed there (the note says why).
        setDeviceModel({ modelId, load: null, ready: false, error: errorMessage(failure) });
        setWhere("server");
      },
    );
    return () => {
      live = false;
    };
  }, [onDevice, modelId]);
  // "As the primer" means nothing without one: fall back to the model's key rather than send it.
  const key =
    chosenKey === null || (chosenKey === "primer" && primerKind === "none")
      ? primerKind === "none"
        ? "as-trained"
        : "primer"
      : chosenKey;

  /** The primer as the server would store it: the corpus snippet from pieces.primer, an upload read by the device worker. */
  async function devicePrimer(upload: File | null): Promise<DevicePrimer | undefined> {
    if (primerKind === "corpus") {
      const { tokens, description, keyShift } = await trpc.pieces.primer.mutate({
        modelId,
        seed: Number(seed),
        kind: "corpus",
      });
      return { kind: "corpus", tokens, description, keyShift };
    }
    if (!upload) return undefined;
    // The server's schema trims the file name (≤ 200 characters), and the name is part of the primer's description.
    const name = upload.name.trim();
    if (name.length === 0 || name.length > 200)
      throw new Error("the file's name must have 1 to 200 characters");
    const primer = await primerOnDevice(
      modelId,
      { name, bytes: new Uint8Array(await upload.arrayBuffer()) },
      () => undefined,
    );
    return { kind: "upload", ...primer };
  }

  async function submitOnDevice(upload: File | null) {
    const recipe: DeviceRecipe = {
      modelId,
      seed: Number(seed),
      length: Number(length),
      temperature: Number(temperature),
      topK: topK.trim() === "" ? null : Number(topK),
      topP: topP.trim() === "" ? null : Number(topP),
      key,
    };
    const problem = deviceRecipeProblem(recipe);
    if (problem) return setError(problem);
    if (primerKind !== "none") {
      setSubmitting(true);
      try {
        const primer = await devicePrimer(upload);
        if (primer) recipe.primer = primer;
      } catch (failure) {
        return setError(errorMessage(failure));
      } finally {
        setSubmitting(false);
      }
    }
    setDeviceRun((previous) => ({ recipe, clickedAt: performance.now(), run: (previous?.run ?? 0) + 1 }));
  }

  async function submit() {
    setError(null);
    if (primerKind === "upload") {
      if (!file) return setError("Choose a MIDI file to start from, or pick another primer.");
      if (file.size > MAX_UPLOAD_BYTES)
        return setError(`"${file.name}" is ${(file.size / 1024 / 1024).toFixed(2)} MB; the limit is 1 MB.`);
    }
    if (onDevice) return submitOnDevice(primerKind === "upload" ? file : null);
    let primer: { kind: "none" } | { kind: "corpus" } | { kind: "upload"; fileName: string; base64: string } =
      { kind: primerKind === "corpus" ? "corpus" : "none" };
    if (primerKind === "upload" && file) {
      primer = {
        kind: "upload",
        fileName: file.name,
        base64: toBase64(new Uint8Array(await file.arrayBuffer())),
      };
    }
    setSubmitting(true);
    sessionStorage.setItem(GENERATE_CLICK_KEY, JSON.stringify({ at: Date.now() }));
    try {
      // Numbers are sent as typed; the server's zod schema gives the message for bad values.
      const piece = await trpc.pieces.create.mutate({
        modelId,
        length: Number(length),
        temperature: Number(temperature),
        topK: topK.trim() === "" ? null : Number(topK),
        topP: topP.trim() === "" ? null : Number(topP),
        seed: Number(seed),
        key,
        primer,
      });
      router.push(`/pieces/${piece.id}`);
    } catch (failure) {
      sessionStorage.removeItem(GENERATE_CLICK_KEY);
      setError(errorMessage(failure));
      setSubmitting(false);
    }
  }

  const model = models.find((m) => m.id === modelId);
  return (
    <>
      <form
        className="card form"
        data-testid="generate-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          // submit() reports its own failures; this catches the rest (reading the chosen file).
          submit().catch((failure: unknown) => setError(errorMessage(failure)));
        }}
      >
        {notes.length > 0 ? (
          <div className="muted small" role="status" data-testid="recipe-notes">
            Some values in the link were not used:
            <ul>
              {notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {initial.primer === "upload" ? (
          <p className="muted small" data-testid="recipe-upload-hint">
            This recipe started from a MIDI file: choose the same file below to replay it.
          </p>
        ) : null}
        <label>
          <span>Model</span>
          <select name="modelId" value={modelId} onChange={(event) => setModelId(event.target.value)}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
          {model ? (
            <small className="muted">
              {model.preset} preset · {model.tokenizer} tokens · vocabulary {model.vocabSize}
            </small>
          ) : null}
        </label>
        <div className="form-row">
          <label>
            <span>Length (tokens)</span>
            <input
              name="length"
              inputMode="numeric"
              value={length}
              onChange={(event) => setLength(event.target.value)}
            />
          </label>
          <label>
            <span>Temperature</span>
            <input
              name="temperature"
              inputMode="decimal"
              value={temperature}
              onChange={(event) => setTemperature(event.target.value)}
            />
          </label>
          <label>
            <span>Top-k (blank = off)</span>
            <input
              name="topK"
              inputMode="numeric"
              value={topK}
              onChange={(event) => setTopK(event.target.value)}
            />
          </label>
          <label>
            <span>Top-p (blank = off)</span>
            <input
              name="topP"
              inputMode="decimal"
              value={topP}
              onChange={(event) => setTopP(event.target.value)}
            />
          </label>
        </div>
        <label>
          <span>Seed</span>
          <div className="inline">
            <input
              name="seed"
              inputMode="numeric"
              value={seed}
              onChange={(event) => setSeed(event.target.value)}
            />
            <button type="button" className="button secondary" onClick={() => setSeed(String(randomSeed()))}>
              New random seed
            </button>
          </div>
        </label>
        <fieldset>
          <legend>Start from</legend>
          {(["none", "corpus", "upload"] as const).map((kind) => (
            <label key={kind} className="radio">
              <input
                type="radio"
                name="primer"
                value={kind}
                checked={primerKind === kind}
                onChange={() => setPrimerKind(kind)}
              />
              {kind === "none"
                ? "Nothing (the model starts on its own)"
                : kind === "corpus"
                  ? "A snippet of the model's training corpus"
                  : "My MIDI file (≤ 1 MB)"}
            </label>
          ))}
          {primerKind === "upload" ? (
            <input
              type="file"
              name="midi"
              accept=".mid,.midi,audio/midi"
              onChange={(event) => setFile(event.target.files?.[0] ?? null)}
            />
          ) : null}
        </fieldset>
        <label>
          <span>Key</span>
          <select name="key" value={key} onChange={(event) => setChosenKey(event.target.value)}>
            <option value="as-trained">As the model wrote it</option>
            <option value="primer" disabled={primerKind === "none"}>
              As the primer{primerKind === "none" ? " (choose a primer above)" : ""}
            </option>
            <optgroup label="Move the piece to">
              {ALL_KEY_NAMES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </optgroup>
          </select>
          <small className="muted">
            Only the notes move; the same recipe in another key has the same tokens.
          </small>
        </label>
        <fieldset data-testid="where">
          <legend>Where</legend>
          <label className="radio">
            <input
              type="radio"
              name="where"
              value="device"
              checked={where === "device"}
              disabled={!canUseDevice}
              onChange={() => setWhere("device")}
            />
            This device
            {canUseDevice
              ? " (the model downloads once, then stays in this browser)"
              : " (needs Web Workers and WebAssembly)"}
          </label>
          <label className="radio">
            <input
              type="radio"
              name="where"
              value="server"
              checked={where === "server"}
              onChange={() => setWhere("server")}
            />
            The server (the piece goes straight to the gallery)
          </label>
          {onDevice && primerKind === "corpus" ? (
            <small className="muted">
              The server holds the corpus: it sends this seed&apos;s snippet, then the piece is composed here.
            </small>
          ) : null}
          {onDevice && primerKind === "upload" ? (
            <small className="muted">
              Your file is read on this device; it leaves the browser only as the primer&apos;s tokens if you
              share the piece.
            </small>
          ) : null}
          {deviceModel?.modelId === modelId && (onDevice || deviceModel.error) ? (
            <small className="muted" data-testid="device-model" data-ready={deviceModel.ready}>
              {deviceModel.error
                ? `This model is composed on the server: it could not be loaded here (${deviceModel.error}).`
                : deviceModel.load
                  ? `Model ${deviceModel.load.label}: ${formatBytes(deviceModel.load.loadedBytes)} / ${formatBytes(deviceModel.load.totalBytes)} ${deviceModel.load.fromCache ? "from this device's cache" : "downloaded"}${deviceModel.ready ? ", ready" : "…"}`
                  : "Loading the model…"}
            </small>
          ) : null}
        </fieldset>
        {error ? (
          <p className="error" role="alert" data-testid="form-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button primary" disabled={submitting} data-testid="generate">
          {submitting ? "Starting…" : onDevice ? "Generate on this device" : "Generate"}
        </button>
        {deviceRun ? (
          <DevicePieceView
            key={deviceRun.run}
            recipe={deviceRun.recipe}
            clickedAt={deviceRun.clickedAt}
            run={deviceRun.run}
            onSaved={deviceSaved}
          />
        ) : null}
      </form>
      {canUseDevice ? <DevicePiecesList version={devicePiecesVersion} /> : null}
    </>
  );
}

/** The server's zod limits (schemas.ts), checked before composing so a device piece can be shared. */
function deviceRecipeProblem(recipe: DeviceRecipe): string | null {
  const whole = (x: number, min: number, max: number) => Number.isInteger(x) && x >= min && x <= max;
  if (!whole(recipe.length, 16, 2000)) return "length must be a whole number of tokens from 16 to 2000";
  if (!(recipe.temperature >= 0.05 && recipe.temperature <= 2.5))
    return "temperature must be from 0.05 to 2.5";
  if (recipe.topK !== null && !whole(recipe.topK, 1, 10_000))
    return "top-k must be a whole number from 1 (or blank)";
  if (recipe.topP !== null && !(recipe.topP > 0 && recipe.topP <= 1))
    return "top-p must be above 0 and at most 1 (or blank)";
  if (!whole(recipe.seed, 0, 2 ** 31 - 1)) return "seed must be a whole number from 0 to 2^31 - 1";
  return null;
}
