-- AlterTable
-- Hand-written: SQLite adds a NOT NULL column with a constant default in place, so the table is
-- not rebuilt (what `prisma migrate diff` would do). Existing pieces read as "as-trained", shift 0.
ALTER TABLE "Piece" ADD COLUMN "key" TEXT NOT NULL DEFAULT 'as-trained';
ALTER TABLE "Piece" ADD COLUMN "primerKeyShift" INTEGER NOT NULL DEFAULT 0;
