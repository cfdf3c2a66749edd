import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { generateSampleData } from "./SampleData.js"

const SEED = 20250526

/** Writes our own data files to `data/` at the repository root: `npx tsx packages/seed/src/generate.ts`. */
const generate = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const dataDir = path.resolve(import.meta.dirname, "../../../data")
  const { productsCsv, purchasesCsv, stats } = generateSampleData(SEED)
  yield* fs.makeDirectory(dataDir, { recursive: true })
  yield* fs.writeFileString(path.join(dataDir, "Products_list.csv"), productsCsv)
  yield* fs.writeFileString(path.join(dataDir, "Purchases.csv"), purchasesCsv)
  yield* Console.log(`wrote ${dataDir}/Products_list.csv and Purchases.csv`, stats)
})

generate.pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
