import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Data, Effect, Stream } from "effect"
import { parseArgs } from "node:util"
import { generateSampleData, largeSamplePurchases, sampleProductsCsv } from "./SampleData.js"

const SEED = 20250526

const USAGE = `usage: npm run generate -- [--purchases N --customers N --out DIR] [--seed N]

Without options, writes our demo files to data/ (the ones the repository ships), identically.
With --purchases, writes DIR/Products_list.csv and a DIR/Purchases.csv of N purchases by
--customers customers (default N / 5), streamed to disk: for loading big files.`

class BadOption extends Data.TaggedError("BadOption")<{ readonly message: string }> {}

const wholeNumber = (name: string, text: string | undefined, min: number) => {
  const value = Number(text)
  return text !== undefined && text !== "" && Number.isInteger(value) && value >= min
    ? Effect.succeed(value)
    : Effect.fail(new BadOption({ message: `--${name} takes a whole number >= ${min}\n${USAGE}` }))
}

const options = Effect.try({
  try: () =>
    parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: {
        purchases: { type: "string" },
        customers: { type: "string" },
        out: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    }).values,
  catch: (error) => new BadOption({ message: `${error instanceof Error ? error.message : error}\n${USAGE}` })
})

/** Our own demo files in `data/` at the repository root. */
const writeDemoData = (seed: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dataDir = path.resolve(import.meta.dirname, "../../../data")
    const { productsCsv, purchasesCsv, stats } = generateSampleData(seed)
    yield* fs.makeDirectory(dataDir, { recursive: true })
    yield* fs.writeFileString(path.join(dataDir, "Products_list.csv"), productsCsv)
    yield* fs.writeFileString(path.join(dataDir, "Purchases.csv"), purchasesCsv)
    yield* Console.log(`wrote ${dataDir}/Products_list.csv and Purchases.csv`, stats)
  })

/** A purchases file of any size, written chunk by chunk, with the products file it names. */
const writeLargeSample = (seed: number, size: { purchases: number; customers: number }, outDir: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const purchasesFile = path.join(outDir, "Purchases.csv")
    yield* fs.makeDirectory(outDir, { recursive: true })
    yield* fs.writeFileString(path.join(outDir, "Products_list.csv"), sampleProductsCsv)
    yield* Stream.fromIterable(largeSamplePurchases(seed, size)).pipe(
      Stream.encodeText,
      Stream.run(fs.sink(purchasesFile))
    )
    const { size: bytes } = yield* fs.stat(purchasesFile)
    yield* Console.log(
      `wrote ${path.join(outDir, "Products_list.csv")} and ${purchasesFile} ` +
        `(${size.purchases} purchases, ${size.customers} customers, ${bytes} bytes)`
    )
  })

/**
 * `npm run generate`: our demo files in `data/`, or with `--purchases N --out DIR` a large file for
 * trying the import at scale.
 */
const generate = Effect.gen(function*() {
  const values = yield* options
  if (values.help === true) return yield* Console.log(USAGE)
  const seed = values.seed === undefined ? SEED : yield* wholeNumber("seed", values.seed, 0)
  if (values.purchases === undefined) {
    if (values.customers !== undefined || values.out !== undefined) {
      return yield* new BadOption({ message: `--customers and --out go with --purchases\n${USAGE}` })
    }
    return yield* writeDemoData(seed)
  }
  const purchases = yield* wholeNumber("purchases", values.purchases, 1)
  const customers = values.customers === undefined
    ? Math.max(1, Math.floor(purchases / 5))
    : yield* wholeNumber("customers", values.customers, 1)
  if (values.out === undefined || values.out === "") {
    return yield* new BadOption({ message: `--purchases needs --out DIR\n${USAGE}` })
  }
  yield* writeLargeSample(seed, { purchases, customers }, values.out)
})

generate.pipe(
  Effect.catchTag(
    "BadOption",
    (error) => Console.error(error.message).pipe(Effect.zipRight(Effect.sync(() => (process.exitCode = 2))))
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
