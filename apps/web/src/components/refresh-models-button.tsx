"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage, trpc } from "@/lib/trpc-client";

export function RefreshModelsButton() {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="refresh">
      <button
        type="button"
        className="button secondary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          trpc.models.refresh
            .mutate()
            .then((summary) => {
              setMessage(`${summary.found} bundle(s), ${summary.usable} usable`);
              router.refresh();
            })
            .catch((failure: unknown) => setMessage(errorMessage(failure)))
            .finally(() => setBusy(false));
        }}
      >
        {busy ? "Scanning…" : "Rescan models"}
      </button>
      {message ? <span className="small muted">{message}</span> : null}
    </div>
  );
}
