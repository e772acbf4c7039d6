// Content-Security-Policy violations seen by Chromium: every `securitypolicyviolation` event in the
// context's documents, and every console line in which Chromium reports one (pages and workers).
import type { BrowserContext, ConsoleMessage, Page } from "playwright-core";

export async function watchCspViolations(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline code"} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  const onConsole = (message: ConsoleMessage) => {
    if (/Content Security Policy|CSP violation/i.test(message.text())) violations.push(message.text());
  };
  const watch = (page: Page) => {
    page.on("console", onConsole);
    page.on("worker", (worker) => worker.on("console", onConsole));
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  return violations;
}
