// The dashboard's production build: packages/web (React) bundled by Vite into dist/web/, which the
// all-in-one program (dist/app.js, `npm start`) and dist/web.js serve. scripts/build.mjs runs it after
// bundling the programs, under the same rules: nothing is built while no file the last build read has
// changed (dist/web-manifest.json), a file whose content is unchanged is not rewritten, a changed one
// is replaced atomically (index.html last, so a page loaded meanwhile finds every asset it names),
// and a file the new build no longer makes is removed.
//
// It imports build.mjs's file helpers, and build.mjs imports it: nothing here may use them before
// build.mjs has run (they are only called from functions).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { isAbsolute, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { fingerprint, manifestIsCurrent, writeAtomically } from "./build.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
export const webOutdir = join(root, "dist", "web")
const manifestFile = join(root, "dist", "web-manifest.json")
const viteConfig = "packages/web/vite.config.ts"

/** Every file under `dir`, relative to it. */
const filesUnder = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)))

/**
 * Files the bundle depends on besides the modules Vite reports: manifests, configuration, and the
 * page's own sources (fingerprinted before bundling, so that an edit made during a build is seen
 * as a change next time).
 */
const configurationFiles = () => [
  "scripts/build.mjs",
  "scripts/build-web.mjs",
  "package.json",
  "package-lock.json",
  "tsconfig.base.json",
  "packages/web/package.json",
  "packages/web/tsconfig.json",
  "packages/web/index.html",
  viteConfig,
  ...["packages/web/app", "packages/web/src", "packages/domain/src"].flatMap((dir) =>
    existsSync(join(root, dir)) ? filesUnder(join(root, dir)).map((file) => join(dir, file)) : []
  )
]

/** Whether dist/web/ holds what the current files would build. */
export const webIsUpToDate = () => manifestIsCurrent(manifestFile)

/** Builds dist/web/: returns the files it wrote (only those whose content changed) and the time it took. */
export const buildWeb = async () => {
  const started = performance.now()
  const { build } = await import("vite")
  const configuration = Object.fromEntries(configurationFiles().map((file) => [file, fingerprint(file)]))
  // the modules the bundle is made of (node_modules included), as the esbuild metafile gives them
  const bundled = new Set()
  const collectInputs = {
    name: "icash-build-inputs",
    generateBundle(_, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== "chunk") continue
        for (const id of output.moduleIds) {
          const file = id.split("?")[0]
          if (!id.startsWith("\0") && isAbsolute(file) && existsSync(file)) bundled.add(relative(root, file))
        }
      }
    }
  }
  mkdirSync(join(root, "dist"), { recursive: true })
  const temporary = mkdtempSync(join(root, "dist", ".web-"))
  try {
    await build({
      configFile: join(root, viteConfig),
      logLevel: "warn",
      build: { outDir: temporary, emptyOutDir: true },
      plugins: [collectInputs]
    })
    const produced = filesUnder(temporary).sort((a, b) => Number(a === "index.html") - Number(b === "index.html"))
    const written = []
    for (const file of produced) {
      const target = join(webOutdir, file)
      const contents = readFileSync(join(temporary, file))
      if (existsSync(target) && Buffer.compare(readFileSync(target), contents) === 0) continue
      writeAtomically(target, contents)
      written.push(relative(root, target))
    }
    const made = new Set(produced)
    // (force: a build running at the same time may have removed it already)
    for (const file of filesUnder(webOutdir)) if (!made.has(file)) rmSync(join(webOutdir, file), { force: true })
    const inputs = { ...configuration }
    for (const file of bundled) inputs[file] ??= fingerprint(file)
    const outputs = produced.map((file) => relative(root, join(webOutdir, file)))
    writeAtomically(manifestFile, JSON.stringify({ outputs, inputs }))
    return { written, ms: performance.now() - started }
  } finally {
    rmSync(temporary, { recursive: true, force: true })
  }
}

/** What build.mjs runs: builds dist/web/ unless it is up to date (or `force`); a failure sets the exit code. */
export const buildDashboard = async ({ quiet, force }) => {
  if (!force && webIsUpToDate()) {
    if (!quiet) console.error("build: dist/web/ is up to date")
    return
  }
  try {
    const { ms, written } = await buildWeb()
    const what = written.length === 0
      ? "dist/web/ was up to date"
      : `wrote dist/web/ (${written.length} file${written.length === 1 ? "" : "s"})`
    console.error(`build: ${what} (${ms.toFixed(0)} ms)`)
  } catch (error) {
    if (error.code === "ERR_MODULE_NOT_FOUND" && /'vite'/.test(error.message)) {
      // as for esbuild: nothing to do on a production install; a start must not serve a stale page
      const installing = process.env.npm_lifecycle_event === "prepare"
      console.error(
        "build: vite (a dev dependency) is not installed, so dist/web/ cannot be built" +
          (installing ? "" : "; install with dev dependencies")
      )
      if (!installing) process.exitCode = 1
      return
    }
    // Vite's (Rollup's) messages name the file, line and column
    console.error(`${error.message}\nbuild failed: dist/web/ was left as it was`)
    process.exitCode = 1
  }
}
