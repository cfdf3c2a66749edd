import { Data, Either } from "effect"
import type { SeedFiles } from "./Seed.js"

export const USAGE = "usage: npm run seed -- [--products FILE] [--purchases FILE]"

export const DEFAULT_FILES: SeedFiles = {
  products: "data/Products_list.csv",
  purchases: "data/Purchases.csv"
}

export class BadArguments extends Data.TaggedError("BadArguments")<{ readonly message: string }> {}

const OPTIONS = { "--products": "products", "--purchases": "purchases" } as const

const isOption = (name: string): name is keyof typeof OPTIONS => Object.hasOwn(OPTIONS, name)

/** `--products FILE`, `--purchases FILE` (or `--option=FILE`); paths are relative to the working directory. */
export const parseArgs = (argv: ReadonlyArray<string>): Either.Either<SeedFiles, BadArguments> => {
  const files = { ...DEFAULT_FILES }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg]
    if (!isOption(name)) return Either.left(new BadArguments({ message: `unknown argument "${arg}"\n${USAGE}` }))
    const value = inline ?? argv[++i]
    if (value === undefined || value === "") {
      return Either.left(new BadArguments({ message: `${name} needs a file name\n${USAGE}` }))
    }
    files[OPTIONS[name]] = value
  }
  return Either.right(files)
}
