import { HttpServerError } from "@effect/platform"
import { SqlError } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { describeFailure } from "@icash/runtime"
import { Cause, Config, ConfigProvider, Data, Effect } from "effect"

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code })

describe("why a process stopped, for its operator", () => {
  it("names the port in use and the variables that choose ports", () => {
    const error = new HttpServerError.ServeError({
      cause: withCode("listen EADDRINUSE: address already in use 0.0.0.0:8000", "EADDRINUSE")
    })
    expect(describeFailure(Cause.fail(error))).toBe(
      "listen EADDRINUSE: address already in use 0.0.0.0:8000: another program uses that port; stop it, or choose another port (CASH_REGISTER_PORT, STORE_ANALYTICS_PORT)"
    )
  })

  it("points at DATABASE_URL when the PostgreSQL server cannot be used", () => {
    const error = new SqlError.SqlError({
      cause: withCode("connect ECONNREFUSED 127.0.0.1:5999", "ECONNREFUSED"),
      message: "PgClient: Failed to connect"
    })
    expect(describeFailure(Cause.fail(error))).toContain("(connect ECONNREFUSED 127.0.0.1:5999); check DATABASE_URL")
  })

  it("quotes a bad configuration value and a data directory in use", () => {
    const config = Effect.runSync(
      Effect.flip(
        Config.logLevel("LOG_LEVEL").pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["LOG_LEVEL", "Verbose"]])))
        )
      )
    )
    expect(describeFailure(Cause.fail(config))).toMatch(/^configuration is invalid: .*LOG_LEVEL.*Verbose/)
    class DataDirInUse extends Data.TaggedError("DataDirInUse")<{ readonly message: string }> {}
    const inUse = new DataDirInUse({ message: "the embedded database in .data is in use by process 7" })
    expect(describeFailure(Cause.fail(inUse))).toBe("the embedded database in .data is in use by process 7")
  })
})
