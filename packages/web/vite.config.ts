// The dashboard's bundle. `npm run build` (scripts/build.mjs, also on install and before `npm start`)
// writes it to dist/web/, which `npm start` and the `web` program serve; `npm run dev:web` serves it
// from source with hot reload, against the services already running (e.g. by `npm start`).
import react from "@vitejs/plugin-react"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig, loadEnv, type Plugin } from "vite"
import { isLocalRequest, pageUrlOf, WebConfig, webConfigFor } from "./src/WebConfig.js"

const root = fileURLToPath(new URL(".", import.meta.url))
const repository = fileURLToPath(new URL("../..", import.meta.url))

/**
 * `/config.json` in development, as the web server answers it: the services on the page's host, on
 * the ports of the environment or the repository's `.env` (8000 and 8001 by default), and to a page
 * of this machine's, the admin key `npm start` keeps in DATA_DIR (as @icash/auth's readLocalAdminKey).
 */
const configJson = (mode: string): Plugin => ({
  name: "icash-config-json",
  configureServer(server) {
    const env = { ...loadEnv(mode, repository, ""), ...process.env }
    const port = (value: string | undefined, fallback: number) =>
      value !== undefined && /^\d+$/.test(value) ? Number(value) : fallback
    const services = {
      cashRegisterUrl: env.CASH_REGISTER_URL ?? "",
      storeAnalyticsUrl: env.STORE_ANALYTICS_URL ?? "",
      cashRegisterPort: port(env.CASH_REGISTER_PORT, 8000),
      storeAnalyticsPort: port(env.STORE_ANALYTICS_PORT, 8001)
    }
    const adminKey = () => {
      try {
        return readFileSync(path.resolve(repository, env.DATA_DIR ?? ".data", "admin.key"), "utf8").trim() || undefined
      } catch {
        return undefined
      }
    }
    server.middlewares.use("/config.json", (request, response) => {
      const local = isLocalRequest(request.socket.remoteAddress, request.headers.host)
      const config = webConfigFor(pageUrlOf(request.headers.host), services, local ? adminKey() : undefined)
      response.setHeader("content-type", "application/json")
      response.setHeader("cache-control", "no-store")
      response.end(JSON.stringify(Schema.encodeSync(WebConfig)(config)))
    })
  }
})

export default defineConfig(({ mode }) => ({
  root,
  // the repository's .env is for the services; nothing of it goes into the page
  envDir: false,
  plugins: [react(), configJson(mode)],
  build: {
    outDir: fileURLToPath(new URL("../../dist/web", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // React, Effect and the charts (with the rest of node_modules) in chunks of their own, which a
    // browser keeps across builds that only change the page's code
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        manualChunks: (id) => {
          if (!id.includes("/node_modules/")) return undefined
          if (/\/node_modules\/(?:effect|@effect)\//.test(id)) return "effect"
          if (/\/node_modules\/(?:react|react-dom|scheduler)\//.test(id)) return "react"
          return "vendor"
        }
      }
    }
  },
  server: { port: 5173, strictPort: false }
}))
