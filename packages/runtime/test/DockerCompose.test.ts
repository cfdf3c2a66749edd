/**
 * No Docker engine runs where the tests run, so this reads docker-compose.yml, the Dockerfile,
 * .env.example and the config files compose mounts (deploy/) as text and checks them against the
 * configuration the code itself reads. The code's
 * variables and defaults are found in the sources (Effect `Config` calls and the `portVariable` /
 * `defaultPort` options of `serveApi`), so changing a port or a default only in the code fails here.
 */
import { Config, ConfigProvider, Effect, Exit, Option } from "effect"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { isBuiltin } from "node:module"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { bundle, entryPoints as buildEntryPoints } from "../../../scripts/build.mjs"
import { telemetryConfig } from "../src/TelemetryConfig.js"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const read = (path: string) => readFileSync(join(root, path), "utf8")

// ---------------------------------------------------------------------------------------------------
// What the code reads

interface CodeVariable {
  readonly name: string
  /** The Config constructor that parses it, e.g. `port`, `logLevel`, `literal`. */
  readonly kind: string
  /** The default as it would be written in an env file; undefined when there is none. */
  readonly default: string | undefined
  readonly file: string
  /** The values a `Config.literal(...values)("NAME")` accepts; undefined for the other kinds. */
  readonly literals?: ReadonlyArray<Config.LiteralValue>
}

interface PortSetting {
  readonly name: string
  readonly default: string
  /** The workspace package that serves on it, which is also its compose service name. */
  readonly pkg: string
}

const walk = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })

const packageNames = readdirSync(join(root, "packages")).filter((name) =>
  existsSync(join(root, "packages", name, "package.json"))
)

/** The production build, in memory: what dist/ holds, and the files it is made of. */
const built = await bundle()

// The product's configuration is what the code built into dist/ reads: not that of dev tools (such
// as packages/bench) nor of `src/testing`, the helpers of the test suites (TEST_DATABASE_URL).
const builtFiles = new Set(Object.keys(built.metafile.inputs))
const sources = packageNames
  .flatMap((pkg) => existsSync(join(root, "packages", pkg, "src")) ? walk(join(root, "packages", pkg, "src")) : [])
  .filter((path) => path.endsWith(".ts") && !path.split("/").includes("testing"))
  .filter((path) => builtFiles.has(relative(root, path)))
  .map((path) => ({ file: relative(root, path), text: readFileSync(path, "utf8") }))

/** The text between the parenthesis at `open` and its match, skipping over string literals. */
const balanced = (text: string, open: number): string => {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    const c = text[i]
    if (c === "\"" || c === "'" || c === "`") {
      const close = text.indexOf(c, i + 1)
      i = close === -1 ? text.length : close
    } else if (c === "(") {
      depth++
    } else if (c === ")" && --depth === 0) {
      return text.slice(open + 1, i)
    }
  }
  throw new Error(`unbalanced parenthesis at ${open}`)
}

const constants = new Map(
  sources.flatMap(({ text }) =>
    [...text.matchAll(/const\s+([A-Za-z_$][\w$]*)\s*(?::\s*\w+\s*)?=\s*("[^"]*"|'[^']*'|-?\d+(?:\.\d+)?)\s*$/gm)]
      .map((m) => [m[1]!, m[2]!] as const)
  )
)

/** Evaluates a default the way the sources write them, or throws so that a new form gets noticed. */
const evaluateDefault = (expression: string, file: string): string => {
  const e = expression.trim()
  const literal = /^(?:"([^"]*)"|'([^']*)'|(-?\d+(?:\.\d+)?)|(true|false))$/.exec(e)
  if (literal) return literal[1] ?? literal[2] ?? literal[3] ?? literal[4]!
  const wrapped = /^(?:Redacted\.make|Secret\.fromString|String)\(([\s\S]*)\)$/.exec(e)
  if (wrapped) return evaluateDefault(wrapped[1]!, file)
  const level = /^LogLevel\.(\w+)$/.exec(e)
  if (level) return level[1]!
  const duration = /^Duration\.(seconds|minutes|hours|days)\((\d+)\)$/.exec(e)
  if (duration) return `${duration[2]} ${duration[1]}`
  const constant = constants.get(e)
  if (constant !== undefined) return evaluateDefault(constant, file)
  throw new Error(`${file}: cannot evaluate the default ${e}; teach DockerCompose.test.ts this form`)
}

/** The arguments of `Config.literal(...)`: plain literals only, or it throws so that a new form gets noticed. */
const parseLiterals = (text: string, file: string): Array<Config.LiteralValue> => {
  const unknown = () =>
    new Error(`${file}: cannot read the values of Config.literal(${text}); teach DockerCompose.test.ts this form`)
  const item = /\s*(?:"([^"]*)"|'([^']*)'|(-?\d+(?:\.\d+)?)|(true|false|null))\s*(?:,|$)/y
  const values: Array<Config.LiteralValue> = []
  while (item.lastIndex < text.length) {
    const m = item.exec(text)
    if (!m) throw unknown()
    values.push(m[1] ?? m[2] ?? (m[3] !== undefined ? Number(m[3]) : m[4] === "null" ? null : m[4] === "true"))
  }
  if (values.length === 0) throw unknown()
  return values
}

const configKinds = [
  "string",
  "nonEmptyString",
  "integer",
  "number",
  "port",
  "boolean",
  "redacted",
  "url",
  "logLevel",
  "duration",
  "date"
] as const

const portSettings: ReadonlyArray<PortSetting> = sources.flatMap(({ file, text }) =>
  [...text.matchAll(/portVariable:\s*"(\w+)",\s*defaultPort:\s*(\d+)/g)].map((m) => ({
    name: m[1]!,
    default: m[2]!,
    pkg: file.split("/")[1]!
  }))
)

const codeVariables: ReadonlyArray<CodeVariable> = sources.flatMap(({ file, text }) => {
  const found: Array<CodeVariable> = []
  for (const m of text.matchAll(new RegExp(`Config\\.(${configKinds.join("|")}|literal)\\(`, "g"))) {
    const kind = m[1]!
    let open = m.index + m[0].length - 1
    // `Config.literal("a", "b")("NAME")`: the values, then the call that names the variable
    let literals: Array<Config.LiteralValue> | undefined
    if (kind === "literal") {
      const values = balanced(text, open)
      literals = parseLiterals(values, file)
      const call = /^\s*\(/.exec(text.slice(open + values.length + 2))
      if (!call) throw new Error(`${file}: Config.literal(${values}) is not given its variable's name; teach this test`)
      open += values.length + 2 + call[0].length - 1
    }
    const argument = balanced(text, open).trim()
    const after = text.slice(open + argument.length + 2)
    const pipe = /^\s*\.pipe\(/.exec(after)
    const piped = pipe ? balanced(after, pipe[0].length - 1) : ""
    const withDefault = piped.indexOf("Config.withDefault(")
    const defaultExpression = withDefault === -1
      ? undefined
      : balanced(piped, withDefault + "Config.withDefault".length)
    const named = /^"(\w+)"$/.exec(argument)
    if (named) {
      found.push({
        name: named[1]!,
        kind,
        default: defaultExpression === undefined ? undefined : evaluateDefault(defaultExpression, file),
        file,
        ...(literals === undefined ? {} : { literals })
      })
    } else if (
      literals === undefined && argument === "options.portVariable" && defaultExpression === "options.defaultPort"
    ) {
      for (const port of portSettings) found.push({ name: port.name, kind, default: port.default, file })
    } else {
      throw new Error(`${file}: Config.${kind}(${argument}) names its variable indirectly; teach this test`)
    }
  }
  for (const m of text.matchAll(/process\.env(?:\.(\w+)|\["(\w+)"\])/g)) {
    found.push({ name: (m[1] ?? m[2])!, kind: "string", default: undefined, file })
  }
  return found
})

const codeVariableNames = new Set(codeVariables.map((v) => v.name))

// ---------------------------------------------------------------------------------------------------
// .env.example

interface EnvLine {
  readonly name: string
  readonly value: string
  readonly commented: boolean
}

const envLines: ReadonlyArray<EnvLine> = (() => {
  const lines = read(".env.example").split(/\r?\n/)
  return lines.flatMap((line, i) => {
    const m = /^([A-Za-z_]\w*)=(.*)$/.exec(line)
    if (!m) return []
    const raw = m[2]!.trim()
    const value = /^(["'])(.*)\1$/.exec(raw)?.[2] ?? raw
    return [{ name: m[1]!, value, commented: (lines[i - 1] ?? "").trimStart().startsWith("#") }]
  })
})()
const envExample = new Map(envLines.map((line) => [line.name, line.value]))

// ---------------------------------------------------------------------------------------------------
// docker-compose.yml

type Environment = Record<string, string | number | boolean | null> | Array<string>

interface ComposeService {
  readonly image?: string
  readonly build?: string | { readonly context?: string; readonly dockerfile?: string }
  readonly command?: string | Array<string>
  readonly environment?: Environment
  readonly env_file?: unknown
  readonly ports?: Array<string | number | { readonly target: number; readonly published?: string | number }>
  readonly healthcheck?: { readonly test?: string | Array<string> }
  readonly depends_on?: Array<string> | Record<string, { readonly condition?: string }>
  readonly restart?: string
  readonly volumes?: Array<
    string | { readonly source?: string; readonly target?: string; readonly read_only?: boolean }
  >
  readonly networks?: Array<string> | Record<string, unknown>
}

interface ComposeFile {
  readonly services: Record<string, ComposeService>
  readonly volumes?: Record<string, unknown>
}

const composeText = read("docker-compose.yml")

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, ... but not the `$${...}` escape. */
const interpolationPattern = /(?<!\$)\$\{(\w+)(?:(:?[-?+])([^}]*))?\}/g

const interpolations = [...composeText.matchAll(interpolationPattern)].map((m) => ({
  text: m[0],
  name: m[1]!,
  operator: m[2],
  default: m[3]
}))

/**
 * What compose substitutes for one `${...}` given the variables of `.env` (and the shell): `:-` and `:+`
 * treat an empty value as unset, `-` and `+` only a missing one.
 */
const substitute = (
  env: ReadonlyMap<string, string>,
  name: string,
  operator: string | undefined,
  operand: string | undefined
): string => {
  const value = env.get(name)
  const set = value !== undefined
  const nonEmpty = set && value !== ""
  switch (operator) {
    case ":-":
      return nonEmpty ? value : operand ?? ""
    case "-":
      return set ? value : operand ?? ""
    case ":+":
      return nonEmpty ? operand ?? "" : ""
    case "+":
      return set ? operand ?? "" : ""
    default: // plain, `?` and `:?` (which would stop compose when missing)
      return value ?? ""
  }
}

const interpolate = (env: ReadonlyMap<string, string>) =>
  composeText.replace(
    interpolationPattern,
    (_, name: string, operator: string | undefined, operand: string | undefined) =>
      substitute(env, name, operator, operand)
  )

/** Compose as `docker compose` would see it with `.env` copied from .env.example. */
const compose = parse(interpolate(envExample), { merge: true }) as ComposeFile

/** Compose as `docker compose` would see it with no `.env` at all (and none of its variables set). */
const composeWithoutEnv = parse(interpolate(new Map()), { merge: true }) as ComposeFile

/** The same file without interpolation, to see which variable a value comes from. */
const rawCompose = parse(composeText, { merge: true }) as ComposeFile

const service = (file: ComposeFile, name: string): ComposeService => {
  const found = file.services[name]
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`)
  return found
}

const environmentOf = (s: ComposeService): Record<string, string> =>
  Object.fromEntries(
    Array.isArray(s.environment)
      ? s.environment.map((entry) => {
        const eq = entry.indexOf("=")
        return [entry.slice(0, eq), entry.slice(eq + 1)]
      })
      : Object.entries(s.environment ?? {}).map(([k, v]) => [k, v === null ? "" : String(v)])
  )

const portsOf = (s: ComposeService): Array<string> =>
  (s.ports ?? []).map((p) =>
    typeof p === "object" ? `${p.published === undefined ? "" : `${p.published}:`}${p.target}` : String(p)
  )

interface Mount {
  readonly source?: string | undefined
  readonly target?: string | undefined
  readonly readOnly: boolean
}

const volumesOf = (s: ComposeService): Array<Mount> =>
  (s.volumes ?? []).map((v) => {
    if (typeof v !== "string") return { source: v.source, target: v.target, readOnly: v.read_only === true }
    const [source, target, mode] = v.split(":")
    return { source, target, readOnly: (mode ?? "").split(",").includes("ro") }
  })

/** A named volume of the file (not a bind mount of a host path). */
const isNamedVolume = (file: ComposeFile, mount: Mount | undefined): boolean =>
  mount?.source !== undefined && Object.keys(file.volumes ?? {}).includes(mount.source)

/** Whether `path` is `dir` or inside it (absolute container paths). */
const within = (path: string, dir: string): boolean => {
  const d = dir.replace(/\/+$/, "")
  return path === d || path.startsWith(`${d}/`)
}

const networksOf = (s: ComposeService): Array<string> =>
  s.networks === undefined ? ["default"] : Array.isArray(s.networks) ? s.networks : Object.keys(s.networks)

const dependencyCondition = (s: ComposeService, on: string): string | undefined =>
  Array.isArray(s.depends_on)
    ? (s.depends_on.includes(on) ? "service_started" : undefined)
    : s.depends_on?.[on]?.condition

const commandLine = (s: ComposeService): string => Array.isArray(s.command) ? s.command.join(" ") : s.command ?? ""

/** The `--name=value` / `--name value` / `--name` flags of a command (kingpin style, as Prometheus has). */
const flagsOf = (s: ComposeService): Map<string, string> => {
  const args = Array.isArray(s.command) ? s.command : (s.command ?? "").split(/\s+/).filter((a) => a !== "")
  const flags = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const flag = /^--([\w.-]+)(?:=(.*))?$/.exec(args[i]!)
    if (!flag) throw new Error(`cannot read the argument ${args[i]} of ${commandLine(s)}`)
    const next = args[i + 1]
    if (flag[2] !== undefined) flags.set(flag[1]!, flag[2])
    else if (next !== undefined && !next.startsWith("-")) flags.set(flag[1]!, args[++i]!)
    else flags.set(flag[1]!, "true")
  }
  return flags
}

const healthTest = (s: ComposeService): string =>
  Array.isArray(s.healthcheck?.test) ? s.healthcheck.test.join(" ") : s.healthcheck?.test ?? ""

const rootPackage = JSON.parse(read("package.json")) as {
  readonly engines?: { readonly node?: string }
  readonly scripts: Record<string, string>
  readonly dependencies: Record<string, string>
  readonly devDependencies?: Record<string, string>
}

/**
 * The entry points (TypeScript sources) of the programs a command line runs. Every program must be
 * one the build makes (`dist/<name>.js`, see scripts/build.mjs): neither the image nor a production
 * install has a TypeScript runner. `npm run X` scripts must exist.
 */
const entryPointsOf = (command: string): Array<string> =>
  command.split(/\s*(?:&&|;|\|\|)\s*/).flatMap((part) => {
    const script = /npm (?:run |run-script )?(\S+)/.exec(part)?.[1]
    if (script !== undefined) {
      const body = rootPackage.scripts[script]
      if (body === undefined) throw new Error(`no npm script ${script} in package.json`)
      return entryPointsOf(body)
    }
    const typescript = /\S+\.[cm]?ts\b/.exec(part)
    if (typescript !== null) throw new Error(`${part} runs TypeScript (${typescript[0]}), not the built dist/`)
    return [...part.matchAll(/(?:^|\s)(?:\.\/)?dist\/([\w.-]+)\.js(?=\s|$)/g)].map((m) => {
      const entry = buildEntryPoints[m[1]!]
      if (entry === undefined) throw new Error(`${part}: scripts/build.mjs makes no dist/${m[1]}.js`)
      return entry
    })
  })

// ---------------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  readonly keyword: string
  readonly args: string
}

const instructions: ReadonlyArray<Instruction> = read("Dockerfile")
  .split(/\r?\n/)
  .filter((line) => !line.trimStart().startsWith("#"))
  .join("\n")
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line.length > 0)
  .map((line) => {
    const space = line.search(/\s/)
    return { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() }
  })

const finalStage = instructions.slice(instructions.map((i) => i.keyword).lastIndexOf("FROM"))

/** The Dockerfile's stages, each with its name (`FROM image AS name`) and instructions. */
const stages = instructions
  .flatMap((i, index) => i.keyword === "FROM" ? [index] : [])
  .map((start, n, starts) => {
    const body = instructions.slice(start, starts[n + 1] ?? instructions.length)
    return { name: /\sAS\s+(\S+)/i.exec(body[0]!.args)?.[1], instructions: body }
  })

/** The stage a `COPY --from=<stage>` copies from; undefined for a COPY from the build context. */
const copyFrom = (args: string): string | undefined => /--from=(\S+)/.exec(args)?.[1]

/** Sources and destination of a COPY, without its flags; null for a COPY from another stage. */
const copyOf = (args: string): { readonly sources: Array<string>; readonly destination: string } | null => {
  const words = args.split(/\s+/)
  if (words.some((w) => w.startsWith("--from="))) return null
  const paths = words.filter((w) => !w.startsWith("--"))
  return { sources: paths.slice(0, -1), destination: paths[paths.length - 1]! }
}

const execForm = (args: string): Array<string> =>
  args.startsWith("[") ? JSON.parse(args) as Array<string> : ["sh", "-c", args]

// ---------------------------------------------------------------------------------------------------

describe("deployment files agree with the code's configuration", () => {
  it("finds the configuration the code reads (the scan itself works)", () => {
    expect(codeVariableNames).toContain("DATABASE_URL")
    expect(codeVariableNames).toContain("LOG_LEVEL")
    // `Config.literal("otlp", "none")("OTEL_METRICS_EXPORTER")`, with its values and its default
    expect(codeVariables.find((v) => v.name === "OTEL_METRICS_EXPORTER")).toMatchObject({
      kind: "literal",
      literals: ["otlp", "none"],
      default: "otlp"
    })
    // every runnable package (one with a main.ts) that builds an HttpApi declares its port and default
    const servingPackages = sources
      .filter(({ text }) => text.includes("HttpApiBuilder.api("))
      .map(({ file }) => file.split("/")[1]!)
      .filter((pkg) => existsSync(join(root, "packages", pkg, "src", "main.ts")))
    expect(new Set(portSettings.map((p) => p.pkg))).toEqual(new Set(servingPackages))
    expect(portSettings.length).toBeGreaterThanOrEqual(2)
  })

  it("lists every variable the code reads in .env.example, with the code's default", () => {
    for (const variable of codeVariables) {
      expect(envExample.has(variable.name), `${variable.name} (read in ${variable.file}) is missing`).toBe(true)
      if (variable.default !== undefined) {
        expect(envExample.get(variable.name), `default of ${variable.name} in ${variable.file}`).toBe(
          variable.default
        )
      }
    }
  })

  it("gives .env.example values the code's Config accepts", () => {
    const provider = ConfigProvider.fromMap(envExample)
    const constructors: Record<(typeof configKinds)[number], (name: string) => Config.Config<unknown>> = {
      string: (name) => Config.string(name),
      nonEmptyString: (name) => Config.nonEmptyString(name),
      integer: (name) => Config.integer(name),
      number: (name) => Config.number(name),
      port: (name) => Config.port(name),
      boolean: (name) => Config.boolean(name),
      redacted: (name) => Config.redacted(name),
      url: (name) => Config.url(name),
      logLevel: (name) => Config.logLevel(name),
      duration: (name) => Config.duration(name),
      date: (name) => Config.date(name)
    }
    for (const variable of codeVariables) {
      const config = variable.literals !== undefined
        ? Config.literal(...variable.literals)(variable.name)
        : constructors[variable.kind as (typeof configKinds)[number]](variable.name)
      const exit = Effect.runSyncExit(provider.load(config))
      expect(Exit.isSuccess(exit), `${variable.name}=${envExample.get(variable.name)}: ${String(exit)}`).toBe(true)
    }
  })

  it("documents each .env.example variable once, and lists none that nothing reads", () => {
    const names = envLines.map((line) => line.name)
    expect(names.filter((name, i) => names.indexOf(name) !== i), "duplicates").toEqual([])
    expect(envLines.filter((line) => !line.commented).map((line) => line.name), "without a comment above").toEqual([])
    const used = new Set([...codeVariableNames, ...interpolations.map((i) => i.name)])
    expect(names.filter((name) => !used.has(name)), "read neither by the code nor by compose").toEqual([])
  })

  it("interpolates only variables of .env.example in docker-compose.yml, with the same defaults", () => {
    expect(interpolations.length).toBeGreaterThan(0)
    for (const i of interpolations) {
      expect(envExample.has(i.name), `${i.text} is not in .env.example`).toBe(true)
      // copying .env.example to .env changes nothing: an empty value there leaves a `:-` default in force
      expect(
        substitute(envExample, i.name, i.operator, i.default),
        `${i.text} with .env.example (${i.name}=${envExample.get(i.name)}) and without .env`
      ).toBe(substitute(new Map(), i.name, i.operator, i.default))
    }
    expect(composeWithoutEnv).toEqual(compose)
  })

  it("runs PostgreSQL with a health check on its own user and database, and its data in a named volume", () => {
    const postgres = service(compose, "postgres")
    expect(postgres.image).toMatch(/^postgres:\d+/)
    const env = environmentOf(postgres)
    for (const name of ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"]) {
      expect(environmentOf(service(rawCompose, "postgres"))[name], name).toContain(`\${${name}`)
    }
    const test = healthTest(postgres)
    expect(test).toContain("pg_isready")
    expect(test).toMatch(new RegExp(`-U\\s+${env["POSTGRES_USER"]}\\b`))
    expect(test).toMatch(new RegExp(`-d\\s+${env["POSTGRES_DB"]}\\b`))
    const dataVolume = volumesOf(postgres).find((v) => v.target === "/var/lib/postgresql/data")
    expect(dataVolume, "a volume on /var/lib/postgresql/data").toBeDefined()
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume?.source)
    for (const port of portsOf(service(rawCompose, "postgres"))) {
      expect(port).toMatch(/\$\{POSTGRES_PORT:-\d+\}:5432$/)
    }
  })

  it("gives every app container a DATABASE_URL on the compose PostgreSQL with its credentials", () => {
    const postgres = environmentOf(service(compose, "postgres"))
    for (const name of ["migrate-seed", ...portSettings.map((p) => p.pkg)]) {
      const url = new URL(environmentOf(service(compose, name))["DATABASE_URL"] ?? "missing:")
      expect(url.protocol, name).toMatch(/^postgres(ql)?:$/)
      expect(url.hostname, name).toBe("postgres")
      expect(url.port || "5432", name).toBe("5432")
      expect(decodeURIComponent(url.username), name).toBe(postgres["POSTGRES_USER"])
      expect(decodeURIComponent(url.password), name).toBe(postgres["POSTGRES_PASSWORD"])
      expect(url.pathname, name).toBe(`/${postgres["POSTGRES_DB"]}`)
      // a host-oriented .env (DATABASE_URL at 127.0.0.1) must not reach the containers
      expect(service(compose, name).env_file, `${name} env_file`).toBeUndefined()
    }
  })

  it("migrates, seeds and makes the admin key once, after PostgreSQL is healthy, with the programs npm run migrate, seed and keys run", () => {
    const migrateSeed = service(compose, "migrate-seed")
    expect(migrateSeed.build, "built from our Dockerfile").toBeDefined()
    expect(migrateSeed.restart).toBe("no")
    expect(dependencyCondition(migrateSeed, "postgres")).toBe("service_healthy")
    const command = commandLine(migrateSeed)
    expect(command).toMatch(/&&/)
    expect(command, "the image's built programs (npm would run the build first)").not.toMatch(/\bnpm\b/)
    const scripts = ["migrate", "seed", "keys"].flatMap((script) => entryPointsOf(`npm run ${script}`))
    expect(scripts).toEqual([
      "packages/persistence/src/main.ts",
      "packages/seed/src/main.ts",
      "packages/auth/src/main.ts"
    ])
    expect(entryPointsOf(command)).toEqual(scripts)
    expect(command).toMatch(/keys\.js ensure-admin$/)
    // the key outlives the container, in a volume of its own under DATA_DIR
    const dataDir = environmentOf(migrateSeed)["DATA_DIR"]
    expect((migrateSeed as { volumes?: ReadonlyArray<string> }).volumes).toContain(`keys:${dataDir}`)
  })

  describe.each(portSettings.map((p) => [p.pkg, p] as const))("the %s service", (name, port) => {
    it(`listens on ${port.name}'s code default inside the network and publishes it on \${${port.name}}`, () => {
      const env = environmentOf(service(compose, name))
      expect(env[port.name]).toBe(port.default)
      expect(env["HOST"], "reachable from other containers").toBe("0.0.0.0")
      expect(portsOf(service(rawCompose, name))).toEqual([`\${${port.name}:-${port.default}}:${port.default}`])
    })

    it("health-checks /health on that port", () => {
      expect(read("packages/domain/src/HealthApi.ts")).toContain("\"/health\"")
      const test = healthTest(service(compose, name))
      expect(test).toContain(`http://127.0.0.1:${port.default}/health`)
      // slim images have no curl or wget
      expect(test).toMatch(/^(CMD|CMD-SHELL) node /)
    })

    it("runs the program built from its own main.ts from the image", () => {
      const s = service(compose, name)
      expect(s.build, "built from our Dockerfile").toBeDefined()
      expect(commandLine(s), "node itself, as PID 1's child").toMatch(/^node /)
      const entryPoints = entryPointsOf(commandLine(s))
      expect(entryPoints).toEqual([`packages/${name}/src/main.ts`])
      for (const file of entryPoints) expect(existsSync(join(root, file)), file).toBe(true)
    })

    it("starts after PostgreSQL is healthy and migrate-seed has completed, and restarts", () => {
      const s = service(compose, name)
      expect(dependencyCondition(s, "postgres")).toBe("service_healthy")
      expect(dependencyCondition(s, "migrate-seed")).toBe("service_completed_successfully")
      expect(s.restart).toBe("unless-stopped")
    })
  })

  describe("telemetry and logs", () => {
    const jaegers = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith("jaegertracing/"))
    const [jaegerName, jaeger] = jaegers[0] ?? ["jaeger", undefined]
    const prometheuses = Object.entries(compose.services).filter(([, s]) =>
      /^(?:docker\.io\/)?prom\/prometheus(?:[:@]|$)/.test(s.image ?? "")
    )
    const [prometheusName, prometheus] = prometheuses[0] ?? ["prometheus", undefined]
    const prometheusFlags = prometheus === undefined ? new Map<string, string>() : flagsOf(prometheus)
    // the binary's own defaults (the image's WORKDIR is /prometheus), which the compose command replaces
    const prometheusPort = /:(\d+)$/.exec(prometheusFlags.get("web.listen-address") ?? "0.0.0.0:9090")?.[1]
    const prometheusPath = (flag: string, fallback: string): string => {
      const value = prometheusFlags.get(flag) ?? fallback
      return value.startsWith("/") ? value : join("/prometheus", value)
    }
    const appServices = ["migrate-seed", ...portSettings.map((p) => p.pkg)]

    /** What the code's telemetry configuration makes of a container's environment. */
    const resolvedTelemetry = (file: ComposeFile, name: string) => {
      const env = environmentOf(service(file, name))
      const provider = ConfigProvider.fromMap(new Map(Object.entries(env)))
      const exit = Effect.runSyncExit(telemetryConfig("the code's default").pipe(Effect.withConfigProvider(provider)))
      if (!Exit.isSuccess(exit)) throw new Error(`${name}: ${String(exit)}`)
      if (Option.isNone(exit.value)) throw new Error(`${name}: telemetry off`)
      return exit.value.value
    }

    it("runs one pinned Jaeger with its OTLP receiver on and its UI published on JAEGER_UI_PORT", () => {
      expect(jaegers.map(([name]) => name)).toEqual(["jaeger"])
      // 1.x all-in-one, which takes OTLP on 4317 (gRPC) and 4318 (HTTP) when COLLECTOR_OTLP_ENABLED, or 2.x
      expect(jaeger?.image).toMatch(/^jaegertracing\/(?:all-in-one:1\.\d+\.\d+|jaeger:2\.\d+\.\d+)$/)
      const env = environmentOf(jaeger!)
      if (jaeger!.image!.startsWith("jaegertracing/all-in-one:")) {
        expect(env["COLLECTOR_OTLP_ENABLED"]).toBe("true")
        // moving the receiver off 4318 would leave the services' default endpoint dead
        const hostPort = env["COLLECTOR_OTLP_HTTP_HOST_PORT"]
        if (hostPort !== undefined) expect(hostPort).toMatch(/(?:^|:)4318$/)
      }
      expect(jaeger!.build, "an upstream image").toBeUndefined()
      expect(portsOf(service(rawCompose, jaegerName))).toContainEqual(
        expect.stringMatching(/^(?:[\d.]+:)?\$\{JAEGER_UI_PORT:-16686\}:16686$/)
      )
    })

    it("runs one pinned Prometheus 3 with its OTLP receiver on", () => {
      expect(prometheuses.map(([name]) => name)).toEqual(["prometheus"])
      expect(prometheus?.image).toMatch(/^prom\/prometheus:v3\.\d+\.\d+$/)
      expect(prometheus!.build, "an upstream image").toBeUndefined()
      // (2.x had the receiver behind --enable-feature=otlp-write-receiver)
      expect(prometheusFlags.get("web.enable-otlp-receiver"), commandLine(prometheus!)).toBe("true")
      expect(prometheus!.restart).toBe("unless-stopped")
    })

    it("gives Prometheus its config file from the repository, read-only, and its data in a named volume", () => {
      // a command replaces the image's CMD, whose --config.file would otherwise be gone
      const configFile = prometheusFlags.get("config.file")
      expect(configFile, "--config.file").toMatch(/^\//)
      const mounts = volumesOf(prometheus!)
      const configMount = mounts
        .filter((m) => m.target !== undefined && within(configFile!, m.target))
        .sort((a, b) => b.target!.length - a.target!.length)[0]
      expect(configMount, `a bind mount on ${configFile}`).toBeDefined()
      expect(configMount!.source, "a path in the repository").toMatch(/^\.{1,2}\//)
      const hostPath = join(configMount!.source!, configFile!.slice(configMount!.target!.replace(/\/+$/, "").length))
      expect(existsSync(join(root, hostPath)) && statSync(join(root, hostPath)).isFile(), `${hostPath} exists`).toBe(
        true
      )
      expect(configMount!.readOnly, `${configMount!.source} mounted :ro`).toBe(true)
      const storage = prometheusPath("storage.tsdb.path", "data/")
      const dataMount = mounts.find((m) => m.target !== undefined && within(storage, m.target))
      expect(isNamedVolume(compose, dataMount), `a named volume holding ${storage}`).toBe(true)
    })

    it("has a deploy/ Prometheus config file that Prometheus would load", () => {
      const configFile = prometheusFlags.get("config.file")!
      const configMount = volumesOf(prometheus!).find((m) => m.target !== undefined && within(configFile, m.target))
      const hostPath = join(configMount!.source!, configFile.slice(configMount!.target!.replace(/\/+$/, "").length))
      // Prometheus refuses to start on unknown fields (a misspelt `otlp:`), duplicate keys or attributes
      const config = parse(read(hostPath)) as Record<string, unknown> | null
      expect(typeof config, hostPath).toBe("object")
      const known = [
        "global",
        "runtime",
        "rule_files",
        "scrape_config_files",
        "scrape_configs",
        "alerting",
        "remote_write",
        "remote_read",
        "otlp",
        "storage",
        "tracing"
      ]
      expect(Object.keys(config ?? {}).filter((key) => !known.includes(key)), "unknown top-level keys").toEqual([])
      const otlp = (config?.["otlp"] ?? {}) as { readonly promote_resource_attributes?: unknown }
      const promoted = otlp.promote_resource_attributes ?? []
      expect(Array.isArray(promoted) && promoted.every((a) => typeof a === "string" && a.trim() !== "")).toBe(true)
      const names = (promoted as Array<string>).map((a) => a.trim())
      expect(names.filter((a, i) => names.indexOf(a) !== i), "promoted twice").toEqual([])
      const storage = (config?.["storage"] ?? {}) as { readonly tsdb?: { readonly out_of_order_time_window?: unknown } }
      const window = storage.tsdb?.out_of_order_time_window
      if (window !== undefined) expect(String(window)).toMatch(/^(?:\d+(?:y|w|d|h|m|s|ms))+$|^0$/)
    })

    it("publishes Prometheus's UI on PROMETHEUS_UI_PORT", () => {
      expect(prometheusPort, "--web.listen-address").toBe("9090")
      expect(portsOf(service(rawCompose, prometheusName))).toContainEqual(
        expect.stringMatching(new RegExp(`^(?:[\\d.]+:)?\\$\\{PROMETHEUS_UI_PORT:-9090\\}:${prometheusPort}$`))
      )
    })

    it("gives every app container its own OTEL_SERVICE_NAME, fixed in compose", () => {
      const names = appServices.map((name) => environmentOf(service(compose, name))["OTEL_SERVICE_NAME"] ?? "")
      expect(names.filter((name) => name.trim() === ""), "missing").toEqual([])
      expect(new Set(names).size, names.join(", ")).toBe(names.length)
      for (const name of appServices) {
        // not from .env: one OTEL_SERVICE_NAME there would give every container the same name
        expect(environmentOf(service(rawCompose, name))["OTEL_SERVICE_NAME"], name).not.toContain("$")
      }
      // a server's traces carry the name its log lines and log directory have (runMain's argument)
      for (const { pkg } of portSettings) {
        const main = read(`packages/${pkg}/src/main.ts`)
        const logName = /runMain\(\s*"([^"]+)"\s*\)/.exec(main)?.[1]
        expect(logName, `runMain("...") in packages/${pkg}/src/main.ts`).toBeDefined()
        expect(environmentOf(service(compose, pkg))["OTEL_SERVICE_NAME"], pkg).toBe(logName)
      }
    })

    describe.each(appServices)("the %s container", (name) => {
      it("exports to Jaeger's OTLP/HTTP receiver by default, which .env can override", () => {
        for (const file of [compose, composeWithoutEnv]) {
          const endpoint = environmentOf(service(file, name))["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "missing:"
          const url = new URL(endpoint)
          expect(url.protocol, endpoint).toBe("http:")
          expect(url.hostname, endpoint).toBe(jaegerName)
          expect(url.port, endpoint).toBe("4318")
          expect(url.pathname, `${endpoint}: the code appends /v1/traces itself`).toBe("/")
        }
        expect(environmentOf(service(rawCompose, name))["OTEL_EXPORTER_OTLP_ENDPOINT"]).toMatch(
          /^\$\{OTEL_EXPORTER_OTLP_ENDPOINT:-[^}]+\}$/
        )
        // on the same network as Jaeger, so that its name resolves
        const shared = networksOf(service(compose, name)).filter((n) => networksOf(jaeger!).includes(n))
        expect(shared, `${name} and ${jaegerName} share a network`).not.toEqual([])
      })

      it("has OTEL_* values the code's telemetry configuration accepts, naming the container", () => {
        for (const file of [compose, composeWithoutEnv]) {
          const env = environmentOf(service(file, name))
          const provider = ConfigProvider.fromMap(new Map(Object.entries(env)))
          const exit = Effect.runSyncExit(
            telemetryConfig("the code's default").pipe(Effect.withConfigProvider(provider))
          )
          if (!Exit.isSuccess(exit)) throw new Error(`${name}: ${String(exit)}`)
          const config = exit.value
          expect(Option.isSome(config), "telemetry on").toBe(true)
          if (Option.isNone(config)) return
          const base = env["OTEL_EXPORTER_OTLP_ENDPOINT"]!.replace(/\/+$/, "")
          expect(config.value.tracesUrl).toEqual(Option.some(`${base}/v1/traces`))
          expect(config.value.resource.serviceName).toBe(env["OTEL_SERVICE_NAME"])
          expect(config.value.protocol).toBe(env["OTEL_EXPORTER_OTLP_PROTOCOL"])
        }
      })

      it("sends, as the code resolves its environment, traces to Jaeger and metrics to Prometheus's OTLP receiver", () => {
        for (const file of [compose, composeWithoutEnv]) {
          const config = resolvedTelemetry(file, name)
          const traces = new URL(Option.getOrElse(config.tracesUrl, () => "missing:"))
          expect(`${traces.protocol}//${traces.host}${traces.pathname}`).toBe(`http://${jaegerName}:4318/v1/traces`)
          const metrics = new URL(Option.getOrElse(config.metricsUrl, () => "missing:"))
          expect(`${metrics.protocol}//${metrics.host}${metrics.pathname}`).toBe(
            `http://${prometheusName}:${prometheusPort}/api/v1/otlp/v1/metrics`
          )
        }
        expect(environmentOf(service(rawCompose, name))["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]).toMatch(
          /^\$\{OTEL_EXPORTER_OTLP_METRICS_ENDPOINT:-[^}]+\}$/
        )
        const shared = networksOf(service(compose, name)).filter((n) => networksOf(prometheus!).includes(n))
        expect(shared, `${name} and ${prometheusName} share a network`).not.toEqual([])
      })

      it.each(
        [
          ["OTEL_TRACES_EXPORTER", "tracesUrl", "metricsUrl"],
          ["OTEL_METRICS_EXPORTER", "metricsUrl", "tracesUrl"]
        ] as const
      )("turns one signal off with %s=none in .env", (variable, off, on) => {
        const config = resolvedTelemetry(
          parse(interpolate(new Map([...envExample, [variable, "none"]])), { merge: true }) as ComposeFile,
          name
        )
        expect(Option.isNone(config[off]), `${off} with ${variable}=none`).toBe(true)
        expect(Option.isSome(config[on]), `${on} with ${variable}=none`).toBe(true)
      })

      it("starts once Jaeger and Prometheus have started, without waiting for them to be healthy", () => {
        expect(dependencyCondition(service(compose, name), jaegerName)).toBe("service_started")
        expect(dependencyCondition(service(compose, name), prometheusName)).toBe("service_started")
      })

      it("writes its log files to a named volume the node user can write", () => {
        const s = service(compose, name)
        const dir = environmentOf(s)["LOG_DIR"] ?? ""
        // a relative LOG_DIR lands in the WORKDIR, which belongs to root; and .env's value is for the host
        expect(dir, "LOG_DIR").toMatch(/^\/\S+$/)
        expect(environmentOf(service(rawCompose, name))["LOG_DIR"], "LOG_DIR not from .env").not.toContain("$")
        const volume = volumesOf(s).find((v) => v.target?.replace(/\/+$/, "") === dir.replace(/\/+$/, ""))
        expect(volume, `a volume on ${dir}`).toBeDefined()
        expect(Object.keys(compose.volumes ?? {}), "a named volume").toContain(volume?.source)
      })
    })

    it("has the image create the log directory for the node user, and default LOG_DIR to it", () => {
      const dirs = new Set(appServices.map((name) => environmentOf(service(compose, name))["LOG_DIR"]))
      expect(dirs.size, "one LOG_DIR for every app container").toBe(1)
      const dir = [...dirs][0]!
      const escaped = dir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
      const user = finalStage.map((i) => i.keyword === "USER" && i.args === "node").lastIndexOf(true)
      expect(user, "USER node").toBeGreaterThan(-1)
      const runs = finalStage.slice(0, user).filter((i) => i.keyword === "RUN").map((i) => i.args)
      const created = runs.some((run) =>
        (new RegExp(`\\bmkdir\\b[^;&|]*\\s${escaped}(?:\\s|$)`).test(run)
          && new RegExp(`\\bchown\\s+(?:-R\\s+)?node(?::node)?\\s+(?:\\S+\\s+)*${escaped}(?:\\s|$)`).test(run))
        || new RegExp(`\\binstall\\s+[^;&|]*-o\\s+node\\b[^;&|]*\\s${escaped}(?:\\s|$)`).test(run)
      )
      expect(created, `a RUN before USER node that creates ${dir} owned by node`).toBe(true)
      // `docker run` without compose then logs there too, instead of failing on /app/logs
      const env = finalStage.filter((i) => i.keyword === "ENV").map((i) => /(?:^|\s)LOG_DIR[= ](\S+)/.exec(i.args)?.[1])
      expect(env.filter((v) => v !== undefined).at(-1), "ENV LOG_DIR").toBe(dir)
    })
  })

  it("builds every app service from the repository's Dockerfile", () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build === undefined) continue
      const context = typeof s.build === "string" ? s.build : s.build.context ?? "."
      const dockerfile = typeof s.build === "string" ? "Dockerfile" : s.build.dockerfile ?? "Dockerfile"
      expect(join(context, dockerfile), name).toBe("Dockerfile")
    }
  })

  it("builds the image on a Node LTS release the project's engines allow", () => {
    const minimum = Number(/(\d+)/.exec(rootPackage.engines?.node ?? "")?.[1])
    const froms = instructions.filter((i) => i.keyword === "FROM")
    expect(froms.length).toBeGreaterThan(0)
    for (const from of froms) {
      const image = from.args.split(/\s+/)[0]!
      const major = Number(/^node:(\d+)(?:[.-]|$)/.exec(image)?.[1])
      expect(major, image).toBeGreaterThanOrEqual(minimum)
      expect(major % 2, `${image}: only even Node majors become LTS`).toBe(0)
    }
  })

  it("installs production dependencies from every workspace manifest before copying the sources", () => {
    const install = instructions.findIndex((i) =>
      i.keyword === "RUN" && /\bnpm ci\b/.test(i.args) && /--omit=dev\b/.test(i.args)
    )
    expect(install, "RUN npm ci --omit=dev").toBeGreaterThan(-1)
    // the image's node_modules are that install's
    const installStage = stages.find((stage) => stage.instructions.includes(instructions[install]!))
    expect(
      finalStage.some((i) => i.keyword === "COPY" && copyFrom(i.args) === installStage?.name),
      `COPY --from=${installStage?.name} in the final stage`
    ).toBe(true)
    // by name, or within a directory (as a stage that prunes `packages` to its manifests does)
    const copiedBefore = instructions
      .slice(0, install)
      .flatMap((i) => i.keyword === "COPY" ? copyOf(i.args)?.sources ?? [] : [])
      .map((source) => source.replace(/^\.\//, "").replace(/\/$/, ""))
    const manifests = ["package.json", "package-lock.json", ...packageNames.map((p) => `packages/${p}/package.json`)]
    for (const manifest of manifests) {
      const covered = copiedBefore.some((source) => manifest === source || manifest.startsWith(`${source}/`))
      expect(covered, `${manifest} copied before npm ci`).toBe(true)
    }
    // npm ci refuses to install when a workspace is missing from the lockfile
    const locked = (JSON.parse(read("package-lock.json")) as { readonly packages: Record<string, unknown> }).packages
    expect(packageNames.filter((p) => locked[`packages/${p}`] === undefined), "workspaces not in package-lock.json")
      .toEqual([])
  })

  it("copies only files that exist, and runs an existing entry point as the node user in production", () => {
    for (const i of instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD")) {
      for (const source of copyOf(i.args)?.sources ?? []) {
        expect(existsSync(join(root, source)), `${i.keyword} ${source}`).toBe(true)
      }
    }
    const finalCopies = finalStage.flatMap((i) => i.keyword === "COPY" ? copyOf(i.args)?.sources ?? [] : [])
    expect(finalCopies).toContain("data")
    expect(finalCopies, "no TypeScript sources in the image: it runs dist/").not.toContain("packages")
    // dist/ comes from a stage that copies the sources in and runs the build
    const distCopy = finalStage.find((i) =>
      i.keyword === "COPY" && copyFrom(i.args) !== undefined && /\/dist\/?\s+(?:\.\/)?dist\/?$/.test(i.args)
    )
    expect(distCopy, "COPY --from=<build stage> /app/dist ./dist").toBeDefined()
    const buildStage = stages.find((stage) => stage.name === copyFrom(distCopy!.args))
    const buildRun =
      buildStage?.instructions.findIndex((i) =>
        i.keyword === "RUN" && /\b(?:node scripts\/build\.mjs|npm run build)\b/.test(i.args)
      ) ?? -1
    expect(buildRun, `RUN node scripts/build.mjs in stage ${buildStage?.name}`).toBeGreaterThan(-1)
    const copiedForBuild = buildStage!.instructions.slice(0, buildRun)
      .flatMap((i) => i.keyword === "COPY" ? copyOf(i.args)?.sources ?? [] : [])
    expect(copiedForBuild).toEqual(
      expect.arrayContaining(["packages", "scripts", "tsconfig.json", "tsconfig.base.json"])
    )
    expect(
      buildStage!.instructions.slice(0, buildRun).some((i) =>
        i.keyword === "RUN" && /\bnpm ci\b/.test(i.args) && !/--omit=dev\b/.test(i.args)
      ),
      "npm ci with the dev dependencies (esbuild) before the build"
    ).toBe(true)
    expect(finalStage.filter((i) => i.keyword === "USER").at(-1)?.args).toBe("node")
    expect(finalStage.some((i) => i.keyword === "ENV" && /^NODE_ENV[= ]production$/.test(i.args))).toBe(true)
    const cmd = finalStage.filter((i) => i.keyword === "CMD").at(-1)
    expect(cmd, "CMD").toBeDefined()
    const entryPoints = entryPointsOf(execForm(cmd!.args).join(" "))
    expect(entryPoints.length).toBeGreaterThan(0)
    for (const file of entryPoints) expect(existsSync(join(root, file)), file).toBe(true)
  })

  it("keeps secrets and local installs out of the build context, but not what the Dockerfile copies", () => {
    const ignored = read(".dockerignore").split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
    expect(ignored).toContain(".env")
    expect(ignored.some((p) => p === "node_modules" || p === "**/node_modules")).toBe(true)
    // the image builds its own dist/; a local one may be stale
    expect(ignored).toContain("dist")
    const copied = instructions.flatMap((i) => i.keyword === "COPY" ? copyOf(i.args)?.sources ?? [] : [])
    for (const source of copied) {
      expect(ignored.filter((p) => p === source || p === source.split("/")[0]), source).toEqual([])
    }
  })
})

describe("the production build (scripts/build.mjs) and the commands that run it", () => {
  const scripts = {
    "start": "packages/app/src/main.ts",
    "start:cash-register": "packages/cash-register/src/main.ts",
    "start:store-analytics": "packages/store-analytics/src/main.ts",
    "migrate": "packages/persistence/src/main.ts",
    "seed": "packages/seed/src/main.ts",
    "start:web": "packages/web/src/main.ts",
    "simulate": "packages/simulator/src/main.ts",
    "keys": "packages/auth/src/main.ts"
  }

  it.each(Object.entries(scripts))("npm run %s runs the program built from %s, built first", (script, entry) => {
    const body = rootPackage.scripts[script] ?? ""
    // node itself (npm's child), so that Ctrl-C and SIGTERM reach the Effect runtime
    expect(body, script).toMatch(/^node\s/)
    expect(entryPointsOf(body), script).toEqual([entry])
    expect(existsSync(join(root, entry)), entry).toBe(true)
    // nobody runs stale code: the pre-script brings dist/ up to date
    expect(rootPackage.scripts[`pre${script}`], `pre${script}`).toMatch(/^node scripts\/build\.mjs\b/)
  })

  it("builds on npm install, and builds every entry point some command runs", () => {
    expect(rootPackage.scripts["prepare"]).toMatch(/^node scripts\/build\.mjs\b/)
    expect(Object.values(buildEntryPoints).sort()).toEqual([...new Set(Object.values(scripts))].sort())
  })

  it("needs no TypeScript runner in production: tsx is a dev dependency", () => {
    const manifests = [
      rootPackage,
      ...packageNames.map((p) => JSON.parse(read(`packages/${p}/package.json`)))
    ] as Array<
      { readonly dependencies?: Record<string, string> }
    >
    expect(manifests.filter((m) => m.dependencies?.["tsx"] !== undefined), "tsx in dependencies").toEqual([])
    expect(rootPackage.devDependencies?.["esbuild"], "esbuild, which the build imports").toBeDefined()
  })

  it("loads only packages that npm ci --omit=dev installs", () => {
    const { metafile } = built
    const imported = new Set(
      Object.values(metafile.outputs).flatMap((output) =>
        output.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path)
      )
    )
    const packagesOf = [...imported].map((specifier) =>
      specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/")
    )
    const locked = (JSON.parse(read("package-lock.json")) as {
      readonly packages: Record<string, { readonly dev?: boolean }>
    }).packages
    expect(packagesOf.length, "the bundles load pg, PGlite, ... from node_modules").toBeGreaterThan(0)
    for (const name of new Set(packagesOf)) {
      const entry = locked[`node_modules/${name}`]
      expect(entry, `${name} in package-lock.json`).toBeDefined()
      expect(entry?.dev, `${name} is a dev dependency only`).not.toBe(true)
    }
  })
})
