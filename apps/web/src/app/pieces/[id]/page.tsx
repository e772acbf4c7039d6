import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { PieceView, type PieceDetail } from "@/components/piece-view";
import { toWire } from "@/lib/wire";
import { serverCaller } from "@/server/caller";

async function loadPiece(id: string) {
  await connection();
  const caller = await serverCaller();
  try {
    return await caller.pieces.byId({ id });
  } catch (error) {
    // An unknown or malformed id is a 404 page (by code: bundle layers may hold two TRPCError classes).
    const code = (error as { code?: unknown }).code;
    if (code === "NOT_FOUND" || code === "BAD_REQUEST") notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const piece = await loadPiece((await params).id);
  return { title: piece.title };
}

export default async function PiecePage({ params }: { params: Promise<{ id: string }> }) {
  const piece = await loadPiece((await params).id);
  return <PieceView key={piece.id} initial={toWire<PieceDetail>(piece)} />;
}
