/**
 * No Docker engine runs where the tests run, so this reads docker-compose.yml, the Dockerfile and
 * .env.example as text and checks them against the configuration the code itself reads. The code's
 * variables and defaults are found in the sources (Effect `Config` calls and the `portVariable` /
 * `defaultPort` options of `serveApi`), so changing a port or a default only in the code fails here.
 */
import { Config, ConfigProvider, Effect, Exit } from "effect"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const read = (path: string) => readFileSync(join(root, path), "utf8")

// ---------------------------------------------------------------------------------------------------
// What the code reads

interface CodeVariable {
  readonly name: string
  /** The Config constructor that parses it, e.g. `port`, `logLevel`. */
  readonly kind: string
  /** The default as it would be written in an env file; undefined when there is none. */
  readonly default: string | undefined
  readonly file: string
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

// `src/testing` holds helpers for the test suites (TEST_DATABASE_URL), not configuration of the product.
const sources = packageNames
  .flatMap((pkg) => existsSync(join(root, "packages", pkg, "src")) ? walk(join(root, "packages", pkg, "src")) : [])
  .filter((path) => path.endsWith(".ts") && !path.split("/").includes("testing"))
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
  const constant = constants.get(e)
  if (constant !== undefined) return evaluateDefault(constant, file)
  throw new Error(`${file}: cannot evaluate the default ${e}; teach DockerCompose.test.ts this form`)
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
  for (const m of text.matchAll(new RegExp(`Config\\.(${configKinds.join("|")})\\(`, "g"))) {
    const kind = m[1]!
    const open = m.index + m[0].length - 1
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
        file
      })
    } else if (argument === "options.portVariable" && defaultExpression === "options.defaultPort") {
      found.push(...portSettings.map((port) => ({ name: port.name, kind, default: port.default, file })))
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
  readonly volumes?: Array<string | { readonly source?: string; readonly target?: string }>
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

/** Compose as `docker compose` would see it with `.env` copied from .env.example. */
const compose = parse(
  composeText.replace(interpolationPattern, (_, name: string, _op: string | undefined, fallback: string | undefined) =>
    envExample.get(name) ?? fallback ?? ""),
  { merge: true }
) as ComposeFile

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

const dependencyCondition = (s: ComposeService, on: string): string | undefined =>
  Array.isArray(s.depends_on)
    ? (s.depends_on.includes(on) ? "service_started" : undefined)
    : s.depends_on?.[on]?.condition

const commandLine = (s: ComposeService): string => Array.isArray(s.command) ? s.command.join(" ") : s.command ?? ""

const healthTest = (s: ComposeService): string =>
  Array.isArray(s.healthcheck?.test) ? s.healthcheck.test.join(" ") : s.healthcheck?.test ?? ""

const rootPackage = JSON.parse(read("package.json")) as {
  readonly engines?: { readonly node?: string }
  readonly scripts: Record<string, string>
  readonly dependencies: Record<string, string>
  readonly devDependencies?: Record<string, string>
}

/** The files a command line runs: `npm run X` scripts must exist, and so must the .ts files they name. */
const entryPointsOf = (command: string): Array<string> =>
  command.split(/\s*(?:&&|;|\|\|)\s*/).flatMap((part) => {
    const script = /npm run (\S+)/.exec(part)?.[1]
    if (script !== undefined) {
      const body = rootPackage.scripts[script]
      if (body === undefined) throw new Error(`no npm script ${script} in package.json`)
      return entryPointsOf(body)
    }
    return [...part.matchAll(/(\S+\.ts)\b/g)].map((m) => m[1]!)
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
      const config = constructors[variable.kind as (typeof configKinds)[number]](variable.name)
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
      if (i.operator === ":-" || i.operator === "-") {
        expect(i.default, `${i.text} against .env.example`).toBe(envExample.get(i.name))
      }
    }
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
    const dataVolume = (postgres.volumes ?? [])
      .map((v) => typeof v === "string" ? { source: v.split(":")[0], target: v.split(":")[1] } : v)
      .find((v) => v.target === "/var/lib/postgresql/data")
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

  it("migrates and seeds once, after PostgreSQL is healthy, with scripts that exist", () => {
    const migrateSeed = service(compose, "migrate-seed")
    expect(migrateSeed.build, "built from our Dockerfile").toBeDefined()
    expect(migrateSeed.restart).toBe("no")
    expect(dependencyCondition(migrateSeed, "postgres")).toBe("service_healthy")
    const command = commandLine(migrateSeed)
    expect(command).toMatch(/npm run migrate\s*&&\s*npm run seed/)
    for (const script of ["migrate", "seed"]) expect(rootPackage.scripts[script], script).toBeDefined()
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

    it("runs its own main.ts from the image", () => {
      const s = service(compose, name)
      expect(s.build, "built from our Dockerfile").toBeDefined()
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
    const install = instructions.findIndex((i) => i.keyword === "RUN" && /\bnpm ci\b/.test(i.args))
    expect(install, "RUN npm ci").toBeGreaterThan(-1)
    expect(instructions[install]!.args).toMatch(/--omit=dev\b/)
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
    // the image runs TypeScript through tsx, which --omit=dev would leave out if it were a devDependency
    expect(rootPackage.dependencies["tsx"], "tsx in dependencies").toBeDefined()
  })

  it("copies only files that exist, and runs an existing entry point as the node user in production", () => {
    for (const i of instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD")) {
      for (const source of copyOf(i.args)?.sources ?? []) {
        expect(existsSync(join(root, source)), `${i.keyword} ${source}`).toBe(true)
      }
    }
    const finalCopies = finalStage.flatMap((i) => i.keyword === "COPY" ? copyOf(i.args)?.sources ?? [] : [])
    expect(finalCopies).toEqual(expect.arrayContaining(["packages", "data"]))
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
    const copied = instructions.flatMap((i) => i.keyword === "COPY" ? copyOf(i.args)?.sources ?? [] : [])
    for (const source of copied) {
      expect(ignored.filter((p) => p === source || p === source.split("/")[0]), source).toEqual([])
    }
  })
})
