// Types of scripts/build.mjs, for the tests that import it.
import type { BuildOptions, BuildResult, Metafile } from "esbuild"

export declare const root: string
export declare const outdir: string
/** dist/<name>.js: the program each entry point (a path from the repository root) becomes. */
export declare const entryPoints: Readonly<Record<string, string>>
export declare const isBundled: (specifier: string) => boolean
export declare const externalImportProblems: (metafile: Metafile) => Array<string>
export declare const options: BuildOptions
export declare const bundle: () => Promise<BuildResult<{ metafile: true; write: false }>>
export declare const isUpToDate: () => boolean
export declare const build: () => Promise<{ readonly written: ReadonlyArray<string>; readonly ms: number }>
