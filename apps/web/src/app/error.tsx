"use client";
// Unexpected server errors: say so plainly and offer a retry (stored pieces are never lost).
export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="empty card" role="alert">
      <h1>Something went wrong</h1>
      <p className="muted">
        The server could not show this page{error.digest ? ` (error ${error.digest})` : ""}. Pieces already
        stored are safe.
      </p>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
