-- AlterTable
-- Existing pieces read as "as-trained" with primer shift 0 (their tokens do not depend on the key).
ALTER TABLE "Piece" ADD COLUMN "key" TEXT NOT NULL DEFAULT 'as-trained';
ALTER TABLE "Piece" ADD COLUMN "primerKeyShift" INTEGER NOT NULL DEFAULT 0;
