-- CreateTable
CREATE TABLE "Model" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "preset" TEXT NOT NULL,
    "tokenizer" TEXT NOT NULL,
    "tokenizerVersion" INTEGER NOT NULL,
    "vocabSize" INTEGER NOT NULL,
    "parameters" INTEGER NOT NULL,
    "datasetSummary" JSONB NOT NULL,
    "finalMetrics" JSONB,
    "fileSizes" JSONB NOT NULL,
    "bundleHash" TEXT NOT NULL,
    "usable" BOOLEAN NOT NULL,
    "unusableReason" TEXT,
    "present" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "scannedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Piece" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "bundleHash" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "temperature" DOUBLE PRECISION NOT NULL,
    "topK" INTEGER,
    "topP" DOUBLE PRECISION,
    "length" INTEGER NOT NULL,
    "primerKind" TEXT NOT NULL,
    "primerTokens" JSONB NOT NULL,
    "primerLabel" TEXT,
    "status" TEXT NOT NULL DEFAULT 'generating',
    "error" TEXT,
    "tokens" JSONB NOT NULL,
    "tokenCount" INTEGER NOT NULL DEFAULT 0,
    "notes" JSONB NOT NULL,
    "noteCount" INTEGER NOT NULL DEFAULT 0,
    "midi" BYTEA,
    "durationSeconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "playCount" INTEGER NOT NULL DEFAULT 0,
    "regeneratedFromId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Piece_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Model_name_version_key" ON "Model"("name", "version");

-- CreateIndex
CREATE INDEX "Piece_createdAt_id_idx" ON "Piece"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Piece_modelId_createdAt_idx" ON "Piece"("modelId", "createdAt");

-- AddForeignKey
ALTER TABLE "Piece" ADD CONSTRAINT "Piece_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

