import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native/driver packages stay plain Node requires, not bundled.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
