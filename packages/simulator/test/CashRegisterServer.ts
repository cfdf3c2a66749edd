import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { makeApiKey } from "@icash/auth/testing"
import { CashRegisterApiLive } from "@icash/cash-register"
import { RepositoriesLive } from "@icash/persistence"
import { type TestEngine, testEngines } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { Context, Effect, Layer, Logger, LogLevel } from "effect"

export class AdminKey extends Context.Tag("test/AdminKey")<AdminKey, string>() {}

/** PostgreSQL when it is reachable (see testEngines), else the embedded one. */
export const preferredEngine = async (): Promise<TestEngine> => {
  const engines = await testEngines()
  return engines.find((engine) => engine.name === "PostgreSQL") ?? engines[0]!
}

/** Three branches and ten products, there before the Cash Register starts. */
const CatalogueLive = Layer.effectDiscard(
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`INSERT INTO branches (code, name) VALUES ('SMKT001', 'Centro'), ('SMKT002', 'Norte'), ('SMKT003', 'Sur')`
    yield* sql`INSERT INTO products (product_name, unit_price) VALUES
      ('milk', 1.49), ('bread', 2.29), ('eggs', 3.19), ('bananas', 1.19), ('pasta', 1.5),
      ('cheese', 4.2), ('butter', 2.5), ('tomatoes', 1.2), ('coffee', 5.9), ('olive oil', 7.4)`
  })
)

/**
 * The real Cash Register (HTTP, group commit, catalogue) on a free port, over a fresh database of
 * `engine`, and the secret of an admin key made on it (`AdminKey`).
 */
export const cashRegisterOn = (engine: TestEngine) =>
  Layer.effect(AdminKey, makeApiKey({ role: "admin", name: "simulator test" })).pipe(
    Layer.provideMerge(httpApiLive(CashRegisterApiLive)),
    Layer.provideMerge(RepositoriesLive),
    Layer.provide(CatalogueLive),
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(engine.database),
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
  )

/** Where that server listens, for a client of our own (or another process). */
export const serverUrl = Effect.map(HttpServer.HttpServer, (server) => {
  if (server.address._tag !== "TcpAddress") throw new Error("the test server listens on no TCP port")
  return `http://127.0.0.1:${server.address.port}`
})

export const countPurchases = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql<{ readonly branch: string; readonly n: number }>`
    SELECT b.code AS branch, count(*)::int AS n FROM purchases p JOIN branches b ON b.id = p.supermarket_id
    GROUP BY b.code ORDER BY b.code`
)
