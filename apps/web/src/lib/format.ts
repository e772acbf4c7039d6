// Display helpers for client and server components. Dates may arrive as strings over JSON.

export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

// Made once: toLocaleString with options builds a new formatter per call, and the gallery formats
// every card's date on each render (the load test's profile, on the request thread).
const DATE_FORMAT = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});
const COUNT_FORMAT = new Intl.NumberFormat("en-GB");

export function formatDate(value: Date | string): string {
  return DATE_FORMAT.format(new Date(value)) + " UTC";
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "missing";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

export function formatCount(value: number): string {
  return COUNT_FORMAT.format(value);
}
