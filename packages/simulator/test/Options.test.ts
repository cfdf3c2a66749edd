import { describe, expect, it } from "@effect/vitest"
import { DEFAULT_OPTIONS, parseDuration, parseOptions, type SimulatorOptions } from "@icash/simulator"
import { Duration, Either, Option, Redacted } from "effect"

const parsed = (argv: ReadonlyArray<string>) => {
  const result = parseOptions(argv)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right as SimulatorOptions
}

const refused = (argv: ReadonlyArray<string>) => {
  const result = parseOptions(argv)
  if (Either.isRight(result)) throw new Error(`accepted ${argv.join(" ")}`)
  return result.left.message
}

describe("npm run simulate options", () => {
  it("default to 5 purchases/s from 3 registers per branch at every branch of localhost:8000, until Ctrl-C", () => {
    expect(parsed([])).toEqual(DEFAULT_OPTIONS)
    expect(DEFAULT_OPTIONS).toMatchObject({
      url: "http://localhost:8000",
      rate: 5,
      limit: { _tag: "Unlimited" },
      registersPerBranch: 3
    })
    expect(parseOptions(["--help"])).toEqual(Either.right("help"))
  })

  it("read every option", () => {
    const options = parsed([
      "--rate",
      "2.5",
      "--count",
      "100",
      "--branches",
      "smkt001, SMKT002",
      "--seed",
      "42",
      "--key",
      "s3cret",
      "--url",
      "http://cash:9000/",
      "--registers",
      "2",
      "--max-items=8"
    ])
    expect(options).toMatchObject({
      rate: 2.5,
      limit: { _tag: "Count", count: 100 },
      branches: Option.some(["SMKT001", "SMKT002"]),
      seed: Option.some(42),
      url: "http://cash:9000",
      registersPerBranch: 2,
      maxItems: 8
    })
    expect(Option.map(options.key, Redacted.value)).toEqual(Option.some("s3cret"))
    expect(String(options.key)).not.toContain("s3cret")
    expect(parsed(["--duration", "90s"]).limit).toEqual({ _tag: "Duration", duration: Duration.seconds(90) })
  })

  it("read durations in ms, s, m and h, or plain seconds", () => {
    expect(parseDuration("500ms")).toEqual(Option.some(Duration.millis(500)))
    expect(parseDuration("2m")).toEqual(Option.some(Duration.minutes(2)))
    expect(parseDuration("1h")).toEqual(Option.some(Duration.hours(1)))
    expect(parseDuration("30")).toEqual(Option.some(Duration.seconds(30)))
    expect(parseDuration("0s")).toEqual(Option.none())
    expect(parseDuration("soon")).toEqual(Option.none())
  })

  it("refuse what they cannot mean, saying why", () => {
    expect(refused(["--duration", "60s", "--count", "5"])).toMatch(/not both/)
    expect(refused(["--rate", "0"])).toMatch(/--rate/)
    expect(refused(["--rate", "fast"])).toMatch(/--rate/)
    expect(refused(["--count", "1.5"])).toMatch(/--count takes a whole number/)
    expect(refused(["--duration", "forever"])).toMatch(/--duration/)
    expect(refused(["--seed", "-1"])).toMatch(/--seed/)
    expect(refused(["--url", "localhost:8000"])).toMatch(/--url/)
    expect(refused(["--branches", ","])).toMatch(/--branches/)
    expect(refused(["--key", ""])).toMatch(/--key/)
    expect(refused(["--speed", "5"])).toMatch(/speed/)
    expect(refused(["extra"])).toMatch(/extra/)
  })
})
