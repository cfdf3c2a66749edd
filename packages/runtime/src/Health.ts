import { HttpMiddleware } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Health, NotReady, Readiness } from "@icash/domain"
import { Cause, Effect } from "effect"

/** Handlers of the shared health group (`/health`, `/ready`); probes every few seconds stay out of the logs. */
export const healthHandlers = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return {
    health: () => HttpMiddleware.withLoggerDisabled(Effect.succeed(new Health({ status: "ok" }))),
    ready: () =>
      sql`SELECT 1`.pipe(
        Effect.timeout("2 seconds"),
        Effect.as(new Readiness({ status: "ready", database: "ok" })),
        Effect.catchAll((error) =>
          Effect.logWarning("database not reachable", Cause.fail(error)).pipe(
            Effect.zipRight(new NotReady({ message: "database unreachable" }))
          )
        ),
        HttpMiddleware.withLoggerDisabled
      )
  } as const
})
