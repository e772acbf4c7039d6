-- AlterTable
-- A piece kept from the radio records where its cut of the stream starts (pieces on their own leave it null).
ALTER TABLE "Piece" ADD COLUMN "streamOffset" INTEGER;
