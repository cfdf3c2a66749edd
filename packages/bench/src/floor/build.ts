/**
 * Builds the floor server into plain JavaScript (`packages/bench/dist/floor/`), so that it runs on
 * bare `node`, without a TypeScript loader in its process.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import ts from "typescript"

const sourceDir = import.meta.dirname
export const floorOutDir = path.resolve(sourceDir, "../../dist/floor")

/** Transpiles every module of the floor (not this one) and returns the entry point's path. */
export const buildFloor = (): string => {
  mkdirSync(floorOutDir, { recursive: true })
  for (const file of readdirSync(sourceDir)) {
    if (!file.endsWith(".ts") || file === "build.ts") continue
    const output = ts.transpileModule(readFileSync(path.join(sourceDir, file), "utf8"), {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true }
    })
    writeFileSync(path.join(floorOutDir, file.replace(/\.ts$/, ".js")), output.outputText)
  }
  return path.join(floorOutDir, "server.js")
}
