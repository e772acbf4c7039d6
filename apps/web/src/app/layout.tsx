import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Motif", template: "%s · Motif" },
  description: "Piano pieces composed by LSTM networks trained on MIDI: browse, generate, play, download.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, so each gets its own CSP nonce (src/proxy.ts), the 404 page too.
  await connection();
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            <span className="brand-mark" aria-hidden>
              ♪
            </span>
            Motif
          </Link>
          <nav>
            <Link href="/">Gallery</Link>
            <Link href="/generate">Generate</Link>
            <Link href="/radio">Radio</Link>
            <Link href="/models">Models</Link>
          </nav>
        </header>
        <main className="page">{children}</main>
        <footer className="site-footer muted small">
          Piano: Salamander Grand Piano samples (CC-BY 3.0), served by this app. The built-in model learned
          from public-domain and CC BY pieces of the Mutopia Project:{" "}
          <Link href="/attribution">attribution</Link>.
        </footer>
      </body>
    </html>
  );
}
