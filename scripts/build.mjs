// The production build: each program of iCash as one ES module in dist/, bundled by esbuild from its
// TypeScript entry point (esbuild strips the types; `npm test` type-checks).
//
// Bundled in: our workspace packages (@icash/*) and Effect's packages (effect, @effect/*), which are
// plain ES modules declared free of side effects, so only what the program uses is kept, and Node
// reads one file at start instead of the hundreds of modules behind their index files. Every other
// package (pg, PGlite, ws, ...) stays external: Node loads it from node_modules at run time, where
// PGlite finds its wasm and data files. `npm ci --omit=dev` installs those in the image.
//
// Then the dashboard's page: dist/web/, bundled by Vite (see scripts/build-web.mjs).
//
// It runs on `npm install` (prepare) and before `npm start`, `npm run start:*`, `migrate` and `seed`
// (their pre-scripts), so nobody runs stale code. Then it first compares the files the last build
// read (dist/build-manifest.json) with the disk, and only bundles again when one changed; a bundle
// whose content is unchanged is not rewritten, and a changed one is replaced atomically.
//
//   node scripts/build.mjs            build dist/ if anything changed
//   node scripts/build.mjs --force    build dist/ in any case
//   node scripts/build.mjs --quiet    print nothing unless it builds (or fails)
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs"
import { isBuiltin } from "node:module"
import { dirname, join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { buildDashboard } from "./build-web.mjs"

export const root = fileURLToPath(new URL("..", import.meta.url))
export const outdir = join(root, "dist")
const manifestFile = join(outdir, "build-manifest.json")

/** dist/<name>.js: the program each entry point becomes. */
export const entryPoints = {
  "app": "packages/app/src/main.ts",
  "cash-register": "packages/cash-register/src/main.ts",
  "store-analytics": "packages/store-analytics/src/main.ts",
  "migrate": "packages/persistence/src/main.ts",
  "seed": "packages/seed/src/main.ts",
  "simulate": "packages/simulator/src/main.ts",
  "keys": "packages/auth/src/main.ts",
  "web": "packages/web/src/main.ts"
}

/**
 * Whether an import is bundled in (our packages and Effect's) rather than loaded from node_modules.
 * Also fast-check, which `effect` re-exports whole: bundled, only the little Schema uses of it stays
 * (~85 KB), where Node would load all of it at start.
 */
export const isBundled = (specifier) => /^(?:@icash\/|@effect\/|effect(?:\/|$)|fast-check$)/.test(specifier)

/** Leaves every other bare import (`pg`, `node:fs`, ...) to Node. */
const externals = {
  name: "externals",
  setup(build) {
    build.onResolve(
      { filter: /^[^./]/ },
      (args) => isBundled(args.path) ? undefined : { path: args.path, external: true }
    )
  }
}

/**
 * Packages that `@effect/platform-node` imports when it loads but that iCash's programs never call:
 * `ws` (only for a WebSocket upgrade) and `undici` (only re-exported, for its undici HTTP client;
 * our clients use the global fetch). Loading them costs every process ~2.5 MB of live heap and
 * ~15 MB of RSS at start (docs/PERFORMANCE.md, "Memory"), so each import of them is served by a
 * small module that requires the real package on first use: behaviour stays the same if one day
 * something does use them.
 */
export const lazyPackages = {
  undici: `const load = () => require("undici")
export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() })`,
  ws: `const lazyClass = (name) => new Proxy(function () {}, {
  construct: (_, args) => Reflect.construct(require("ws")[name], args),
  get: (_, key) => require("ws")[name][key]
})
export const WebSocket = lazyClass("WebSocket")
export const WebSocketServer = lazyClass("WebSocketServer")
export default WebSocket`
}

const lazy = {
  name: "lazy-packages",
  setup(build) {
    build.onResolve(
      { filter: new RegExp(`^(?:${Object.keys(lazyPackages).join("|")})$`) },
      (args) => ({ path: args.path, namespace: "lazy-package" })
    )
    build.onLoad({ filter: /.*/, namespace: "lazy-package" }, (args) => ({
      contents: `import { createRequire } from "node:module"
const require = createRequire(import.meta.url)
${lazyPackages[args.path]}`,
      loader: "js",
      resolveDir: root
    }))
  }
}

const packageName = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/")

const packageDirs = new Map()

/** The directory of package `name` that Node finds looking up from `dir`'s node_modules; undefined if none. */
const packageDir = (dir, name) => {
  const key = `${dir}\0${name}`
  if (!packageDirs.has(key)) {
    const candidate = join(dir, "node_modules", name)
    let found
    if (existsSync(candidate)) found = realpathSync(candidate)
    else if (dirname(dir) !== dir) found = packageDir(dirname(dir), name)
    packageDirs.set(key, found)
  }
  return packageDirs.get(key)
}

/**
 * What is wrong with the external imports of a build: a package Node would not find from dist/, or
 * would find in another copy (another version, nested in some node_modules) than the module that
 * imports it would have had.
 */
export const externalImportProblems = (metafile) =>
  Object.entries(metafile.inputs).flatMap(([file, input]) =>
    // (`<runtime>`: esbuild's own helpers)
    input.imports.filter((i) => i.external && !isBuiltin(i.path) && !i.path.startsWith("<")).flatMap((i) => {
      const name = packageName(i.path)
      const fromDist = packageDir(outdir, name)
      const fromImporter = packageDir(dirname(join(root, file)), name)
      if (fromDist === undefined) return [`${file} imports ${i.path}, which is not installed`]
      if (fromImporter === fromDist) return []
      const [wanted, loaded] = [
        fromImporter === undefined ? "nowhere" : relative(root, fromImporter),
        relative(root, fromDist)
      ]
      return [`${file} imports ${i.path} from ${wanted}, but dist/ would load ${loaded}`]
    })
  )

/** The esbuild options of the production build (nothing written: see build). */
export const options = {
  absWorkingDir: root,
  entryPoints: Object.entries(entryPoints).map(([out, source]) => ({ in: source, out })),
  outdir,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // one self-contained file per program, no shared chunks: the file names never change, so a
  // rebuild replaces files and leaves no old one behind
  splitting: false,
  // dist/<name>.js.map, for `NODE_OPTIONS=--enable-source-maps` when a stack trace should name the
  // TypeScript lines. Not on by default: it costs ~35 MB of RSS and ~0.3 s of start per process.
  // Without the sources' text, which Node does not need for that.
  sourcemap: "linked",
  sourcesContent: false,
  // No keepNames: it wraps every function created at run time in a call that defines its `name`,
  // and Effect creates closures on every request. Measured on POST /purchases at 32 connections,
  // it cost about 20% more CPU per request (1,336 vs 1,046 us). Errors are told apart by `_tag`.
  keepNames: false,
  legalComments: "none",
  logLevel: "silent",
  metafile: true,
  write: false,
  plugins: [lazy, externals]
}

/** Bundles every program in memory: esbuild's result, with `outputFiles` and `metafile`. */
export const bundle = async () => {
  const esbuild = await import("esbuild")
  return esbuild.build(options)
}

/** Files a build depends on besides the modules it bundles: manifests, compiler options, this script. */
const configurationFiles = () => [
  "scripts/build.mjs",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.base.json",
  ...Object.values(entryPoints).flatMap((entry) => {
    const pkg = entry.split("/").slice(0, 2).join("/")
    return [`${pkg}/package.json`, `${pkg}/tsconfig.json`]
  })
]

/** Size, modification time and SHA-1 of a file; null when it is missing. */
export const fingerprint = (file) => {
  try {
    const path = join(root, file)
    const { mtimeMs, size } = statSync(path)
    return { size, mtimeMs, sha1: createHash("sha1").update(readFileSync(path)).digest("hex") }
  } catch {
    return null
  }
}

/** Whether a file still is as fingerprinted: by size and time, else (touched, copied, checked out again) by content. */
export const unchanged = (file, print) => {
  try {
    const { mtimeMs, size } = statSync(join(root, file))
    if (print === null || size !== print.size) return false
    return mtimeMs === print.mtimeMs
      || createHash("sha1").update(readFileSync(join(root, file))).digest("hex") === print.sha1
  } catch {
    return print === null
  }
}

/** Whether the build a manifest records is current: its outputs are there and nothing they came from changed. */
export const manifestIsCurrent = (manifestPath) => {
  let manifest
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"))
  } catch {
    return false
  }
  return manifest.outputs.every((file) => existsSync(join(root, file)))
    && Object.entries(manifest.inputs).every(([file, print]) => unchanged(file, print))
}

/** Whether dist/ holds what the current files would build. */
export const isUpToDate = () => manifestIsCurrent(manifestFile)

/** Builds dist/: returns the files it wrote (only those whose content changed) and the time it took. */
export const build = async () => {
  const started = performance.now()
  // fingerprints taken before bundling: a file edited meanwhile is seen as changed next time
  const configuration = Object.fromEntries(configurationFiles().map((file) => [file, fingerprint(file)]))
  const result = await bundle()
  const problems = externalImportProblems(result.metafile)
  if (problems.length > 0) throw new Error(`the bundles would load the wrong packages:\n  ${problems.join("\n  ")}`)
  const inputs = { ...configuration }
  for (const file of Object.keys(result.metafile.inputs)) inputs[file] ??= fingerprint(file)
  const written = []
  for (const file of result.outputFiles) {
    if (existsSync(file.path) && Buffer.compare(readFileSync(file.path), file.contents) === 0) continue
    writeAtomically(file.path, file.contents)
    written.push(relative(root, file.path))
  }
  const outputs = result.outputFiles.map((file) => relative(root, file.path))
  writeAtomically(manifestFile, JSON.stringify({ outputs, inputs }))
  return { written, ms: performance.now() - started }
}

/** A temporary file renamed over the old one: a process starting meanwhile reads the old or the new file, never half of one. */
export const writeAtomically = (path, contents) => {
  mkdirSync(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, contents)
  renameSync(temporary, path)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quiet = process.argv.includes("--quiet")
  if (!process.argv.includes("--force") && isUpToDate()) {
    if (!quiet) console.error("build: dist/ is up to date")
  } else {
    try {
      const { ms, written } = await build()
      console.error(
        `build: ${written.length === 0 ? "dist/ was up to date" : `wrote ${written.join(", ")}`} (${ms.toFixed(0)} ms)`
      )
    } catch (error) {
      if (error.code === "ERR_MODULE_NOT_FOUND" && /'esbuild'/.test(error.message)) {
        // `npm ci --omit=dev`: no build tools. Nothing to do on install; a start must not run stale code.
        const installing = process.env.npm_lifecycle_event === "prepare"
        console.error(
          `build: esbuild (a dev dependency) is not installed, so dist/ cannot be built` +
            (installing ? "" : "; install with dev dependencies, or run the built dist/ programs directly")
        )
        process.exit(installing ? 0 : 1)
      }
      // esbuild's messages name the file, line and column
      const messages = error.errors === undefined
        ? [`${error.message}\n`]
        : await (await import("esbuild")).formatMessages(error.errors, { kind: "error", color: process.stderr.isTTY })
      console.error(`${messages.join("")}build failed: dist/ was left as it was`)
      process.exitCode = 1
    }
  }
  // then the dashboard's page, dist/web/ (scripts/build-web.mjs)
  if (!process.exitCode) await buildDashboard({ quiet, force: process.argv.includes("--force") })
}
