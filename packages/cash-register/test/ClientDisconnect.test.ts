import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { expect, it } from "@effect/vitest"
import { makeApiKey } from "@icash/auth/testing"
import { CashRegisterApiLive } from "@icash/cash-register"
import { cents, Purchase, PurchaseId, PurchaseItem } from "@icash/domain"
import { PurchasesRepo, type PurchaseToStore, type StoredPurchase } from "@icash/persistence"
import { InMemoryDatabaseLive } from "@icash/persistence/testing"
import { httpApiLive, LoggingLive } from "@icash/runtime"
import { ConfigProvider, DateTime, Deferred, Effect, Layer } from "effect"
import * as http from "node:http"
import { vi } from "vitest"
import { alice, branches, products } from "./fixtures.js"

/** The lines written through a spy on `process.stdout.write` (the logger writes several at once). */
const writtenLines = (spy: { mock: { calls: Array<Array<unknown>> } }) =>
  spy.mock.calls.flatMap(([chunk]) => String(chunk).split("\n").filter((line) => line !== ""))

it.live("a client that disconnects mid-purchase leaves it whole and is logged once, at info, not as an error", () =>
  Effect.gen(function*() {
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true)
    const release = yield* Deferred.make<void>()
    const stored: Array<PurchaseToStore> = []
    // a database that takes its time: the purchase is still being written when the client leaves
    const slowRepo = Layer.succeed(
      PurchasesRepo,
      PurchasesRepo.make({
        insertGroup: (group) =>
          Effect.gen(function*() {
            yield* Deferred.await(release)
            for (const purchase of group) stored.push(purchase)
            const timestamp = yield* DateTime.now
            return group.map((p, i): StoredPurchase => ({
              _tag: "Stored",
              purchase: new Purchase({
                id: PurchaseId.make(i + 1),
                branch_id: p.branch_id,
                user_id: p.user_id,
                timestamp,
                total_amount: cents(150),
                items: [
                  new PurchaseItem({
                    product_id: p.product_ids[0]!,
                    product_name: "milk",
                    quantity: 1,
                    unit_price: cents(150)
                  })
                ]
              })
            }))
          }),
        findById: () => Effect.die("not used"),
        forgetKeysBefore: () => Effect.succeed(0)
      })
    )
    const logging = LoggingLive("cash-register").pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["LOG_DIR", ""]]))))
    )
    const server = httpApiLive(CashRegisterApiLive).pipe(
      Layer.provideMerge(Layer.merge(InMemoryDatabaseLive({ branches, products }), slowRepo)),
      Layer.provideMerge(NodeHttpServer.layer(http.createServer, { port: 0, host: "127.0.0.1" })),
      Layer.provide(logging)
    )
    yield* Effect.gen(function*() {
      const address = (yield* HttpServer.HttpServer).address
      const port = address._tag === "TcpAddress" ? address.port : 0
      const key = yield* makeApiKey()
      // the till posts, then gives up before the answer
      yield* Effect.async<void>((resume) => {
        const request = http.request({ host: "127.0.0.1", port, method: "POST", path: "/purchases" })
        request.setHeader("content-type", "application/json")
        request.setHeader("authorization", `Bearer ${key}`)
        request.on("error", () => resume(Effect.void))
        request.end(JSON.stringify({ branch_id: 1, user_id: alice, items: [{ product_id: 1 }] }))
        setTimeout(() => request.destroy(), 300)
      })
      yield* Effect.sleep("200 millis")
      yield* Deferred.succeed(release, undefined)
      yield* Effect.sleep("300 millis")
    }).pipe(Effect.provide(server), Effect.scoped)

    const lines = writtenLines(stdout).map((text) => JSON.parse(text) as { level: string; message: string })
    stdout.mockRestore()
    expect(stored.map((p) => p.user_id)).toEqual([alice])
    expect(lines.filter((line) => line.level === "ERROR")).toEqual([])
    const disconnects = lines.filter((line) => line.message.includes("disconnected before the answer"))
    expect(disconnects.map((line) => [line.level, line.message])).toEqual([
      ["INFO", "POST /purchases: the client disconnected before the answer"]
    ])
  }))
