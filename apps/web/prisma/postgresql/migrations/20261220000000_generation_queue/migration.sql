-- AlterTable
-- The generation queue (MOTIF_ENGINE=queue): progress writes are numbered, and a piece names the worker running it.
ALTER TABLE "Piece" ADD COLUMN "progressSeq" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Piece" ADD COLUMN "runner" TEXT;
